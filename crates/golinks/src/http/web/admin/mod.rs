//! Admin pages (admins only, `policy::may_administer`): people (role, activation with SCIM's
//! effects), SCIM tokens (create, shown once; revoke), the provisioning log, single sign-on
//! and organization settings.

mod log;
mod org;
mod people;
mod sso;
mod tokens;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Member, SameOrigin};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::policy;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(people::router())
        .merge(tokens::router())
        .merge(log::router())
        .merge(sso::router())
        .merge(org::router())
}

/// A signed-in admin whose request, if it changes something, comes from our own pages.
struct Admin(Member);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let member = Member::from_request_parts(parts, state).await?;
        if !policy::may_administer(&member.actor()) {
            return Err(
                PageError::new(StatusCode::FORBIDDEN, "Only admins can open this page.")
                    .into_response(),
            );
        }
        SameOrigin::from_request_parts(parts, state).await?;
        Ok(Admin(member))
    }
}

fn back_to(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
