//! SCIM 2.0 service provider at `/scim/v2` (RFC 7644): discovery, Users, Groups, the
//! provisioning log and the per-token rate limit. Handlers are thin; `crate::provisioning` and
//! the `scim` crate hold the rules.

mod discovery;
mod groups;
pub(crate) mod log;
mod request;
mod response;
mod search;
mod users;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::middleware;
use tower::ServiceExt;

use crate::app::AppState;

pub use response::{ScimFailure, ScimJson};

pub const BASE: &str = "/scim/v2";

pub fn router(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .merge(discovery::router())
        .merge(users::router())
        .merge(groups::router())
        .merge(search::router())
        .route("/{*rest}", axum::routing::any(unknown_endpoint));
    Router::new()
        .nest_service(
            BASE,
            routes.with_state(state.clone()).map_request(lenient_path),
        )
        .layer(middleware::from_fn_with_state(state, log::record))
}

/// Before routing: Microsoft's SCIM validator sends `/users`, `/groups` and collections with
/// a trailing slash (`/Users/`), so a path that is one of ours but for letter case or that
/// slash is served as the endpoint it names (documented in docs/entra-id.md).
fn lenient_path(mut request: Request) -> Request {
    let canonical = canonical_path(request.uri().path());
    if canonical != request.uri().path() {
        let rewritten = match request.uri().query() {
            Some(q) => format!("{canonical}?{q}"),
            None => canonical,
        };
        if let Ok(uri) = rewritten.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

async fn unknown_endpoint() -> ScimFailure {
    ScimFailure(scim::ScimError::not_found("no such SCIM endpoint"))
}

/// `/users/` → `/Users`: the endpoint names as RFC 7644 §3.2 spells them, no trailing slash.
fn canonical_path(path: &str) -> String {
    const ENDPOINTS: [&str; 6] = [
        "Users",
        "Groups",
        "ServiceProviderConfig",
        "ResourceTypes",
        "Schemas",
        ".search",
    ];
    let trimmed = path.trim_end_matches('/');
    let mut segments: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    for (index, segment) in segments.iter_mut().enumerate() {
        // Ids (the third segment of `/Users/{id}`) keep their spelling; `.search` may follow.
        let named = index == 1 || segment.eq_ignore_ascii_case(".search");
        if let Some(name) = ENDPOINTS
            .iter()
            .find(|e| named && e.eq_ignore_ascii_case(segment))
        {
            *segment = (*name).to_owned();
        }
    }
    let joined = segments.join("/");
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// The base URL clients reach SCIM at, for `Location` and `meta.location`: the request's
/// origin, by the same rule as every other page (`X-Forwarded-Proto` only from a trusted
/// proxy, see `auth::client`).
pub fn base_url(headers: &axum::http::HeaderMap) -> String {
    format!(
        "{}{BASE}",
        crate::http::auth::origin::request_origin(headers)
    )
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn endpoint_names_are_read_case_insensitively_without_a_trailing_slash() {
        assert_eq!(canonical_path("/users"), "/Users");
        assert_eq!(canonical_path("/Users/"), "/Users");
        assert_eq!(canonical_path("/groups/AbC/"), "/Groups/AbC");
        assert_eq!(canonical_path("/GROUPS/.SEARCH"), "/Groups/.search");
        assert_eq!(canonical_path("/Users/users"), "/Users/users");
        assert_eq!(canonical_path("/nope"), "/nope");
    }
}
