//! The web pages' callers: a signed-in member of the organization serving the host, or an
//! admin. Anyone else is sent through single sign-on and back to the page they asked for.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{HostOrg, SameOrigin, SignedIn, session};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::http::web::Nav;
use crate::policy::{self, Actor};
use crate::store::Org;

/// A signed-in member of the organization serving the host. Anyone else is sent through
/// single sign-on and back to the page they asked for.
pub struct Member {
    pub me: SignedIn,
    pub org: Org,
    pub user_name: String,
    /// The person's userName (their work email): the link form's owner "me".
    pub user_email: String,
    /// The request's own host names (a destination there would loop).
    pub own_hosts: Vec<String>,
}

impl Member {
    pub fn actor(&self) -> Actor {
        self.me.actor()
    }

    pub fn nav(&self, current: &'static str) -> Option<Nav> {
        Some(Nav {
            user_name: self.user_name.clone(),
            current,
            admin: crate::policy::may_administer(&self.actor()),
        })
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let host = HostOrg::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let me = session::signed_in(&parts.headers, state)
            .await
            .filter(|me| me.org == host.org.id);
        let Some(me) = me else {
            // A form sent without a session is answered here, not sent through sign-in: the
            // redirect chain would end at the identity provider, which the pages' CSP
            // (`form-action 'self'`) blocks after a form post, and the form's data is lost
            // either way.
            if !matches!(parts.method, Method::GET | Method::HEAD) {
                return Err(PageError::new(
                    StatusCode::UNAUTHORIZED,
                    "Your session has ended, so this form was not sent. Sign in again and send \
                     it once more.",
                )
                .into_response());
            }
            let uri = parts
                .extensions
                .get::<OriginalUri>()
                .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
            return Err(sign_in_first(&uri));
        };
        let user = state
            .store
            .find_user(me.org, me.user)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        Ok(Member {
            own_hosts: host.own_hosts(),
            org: host.org,
            user_email: user.user_name.clone(),
            user_name: user.display_name.unwrap_or(user.user_name),
            me,
        })
    }
}

/// A signed-in admin whose request, if it changes something, comes from our own pages.
pub struct Admin(pub Member);

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

/// A 302 through `/saml/login`, back to `uri` afterwards.
pub fn sign_in_first(uri: &axum::http::Uri) -> Response {
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/saml/login?{query}"))],
    )
        .into_response()
}
