//! Short alias hosts (`go`, `go.corp`) → the organization's canonical base URL, where its
//! session cookie lives: without this, a signed-in person typing `go/docs` would be asked to
//! sign in again, and signing in there would set a second cookie for the alias.
//!
//! Go links answer 302 from the redirect hot path (`redirect::follow`); every other path
//! (pages, API, SCIM, SAML) answers 308 from [`layer`], so a method and body are repeated
//! at the canonical URL (RFC 9110 §15.4.9) and no cookie is ever set on an alias host.
//! `/healthz` and `/readyz` answer wherever they are asked: load balancers probe by address.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::domain::{BaseUrl, OrgId};
use crate::index::Hosts;

/// The `Host` a request names: its header, else (HTTP/2) the URI's authority.
pub fn request_host<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> Option<&'a str> {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
}

/// The canonical base URL to send this request to, when the host's organization has one
/// and the request is not already on it. Allocates nothing.
pub fn elsewhere<'h>(hosts: &'h Hosts, org: OrgId, host: Option<&str>) -> Option<&'h BaseUrl> {
    let canonical = hosts.canonical(org)?;
    (!host.is_some_and(|h| canonical.is_host(h))).then_some(canonical)
}

/// `status` to the same path and query on `base`.
pub fn redirect(base: &BaseUrl, uri: &Uri, status: StatusCode) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    match HeaderValue::from_str(&format!("{}{path}", base.origin())) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        // A path and query that came in as a request line are header-safe; refuse otherwise.
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The layer on every route but the go-link hot path.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let hosts = state.index.hosts();
    let host = request_host(request.headers(), request.uri());
    let Some(org) = hosts.org_for(host) else {
        return next.run(request).await;
    };
    match elsewhere(&hosts, org.id, host) {
        Some(base) => redirect(base, request.uri(), StatusCode::PERMANENT_REDIRECT),
        None => next.run(request).await,
    }
}
