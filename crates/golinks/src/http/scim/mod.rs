//! SCIM 2.0 service provider at `/scim/v2` (RFC 7644): discovery, Users, the provisioning
//! log and the per-token rate limit. Handlers are thin; `crate::provisioning` and the `scim`
//! crate hold the rules.

mod discovery;
pub(crate) mod log;
mod response;
mod users;

use axum::Router;
use axum::middleware;

use crate::app::AppState;

pub use response::{ScimFailure, ScimJson};

pub const BASE: &str = "/scim/v2";

pub fn router(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .merge(discovery::router())
        .merge(users::router())
        .route("/{*rest}", axum::routing::any(unknown_endpoint));
    Router::new()
        .nest(BASE, routes)
        .layer(middleware::from_fn_with_state(state, log::record))
}

async fn unknown_endpoint() -> ScimFailure {
    ScimFailure(scim::ScimError::not_found("no such SCIM endpoint"))
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
