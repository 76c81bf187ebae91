//! Admin pages (admins only, `policy::may_administer`): people (role, activation with SCIM's
//! effects), SCIM tokens (create, shown once; revoke), the provisioning log, single sign-on,
//! organization settings and groups (which grant roles).

mod groups;
mod log;
mod log_rows;
mod org;
mod people;
mod sso;
mod tokens;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
pub use crate::http::auth::Admin;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(people::router())
        .merge(groups::router())
        .merge(tokens::router())
        .merge(log::router())
        .merge(sso::router())
        .merge(org::router())
}

fn back_to(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
