//! Signing in with a one-time link (`golinks login-link`), and signing out. The link's page
//! asks for a click, so that a link preview or a scanner fetching it does not use it up.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::domain::token;
use crate::http::auth::{SameOrigin, SignInAttempt, Visitor, session};
use crate::http::error::PageError;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/login/{token}", get(confirm).post(sign_in))
        .route("/_/logout", post(sign_out))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct ConfirmPage<'a> {
    nav: Option<super::Nav>,
    token: &'a str,
}

async fn confirm(Path(token): Path<String>) -> Response {
    ConfirmPage {
        nav: None,
        token: &token,
    }
    .into_response()
}

async fn sign_in(
    _attempt: SignInAttempt,
    State(state): State<AppState>,
    _: SameOrigin,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (org, user) = match state.store.consume_login_link(&token::digest(&token)).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "This sign-in link is not valid: it was used already, it expired, or the person is inactive. Ask for a new one.",
            ));
        }
        Err(e) => return Err(PageError::internal(&e)),
    };
    let cookie = session::start_session(&state, org, user, &headers).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/_/")).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    _: SameOrigin,
    Visitor(visitor): Visitor,
) -> Result<Response, PageError> {
    if let Some(me) = visitor {
        match state
            .store
            .revoke_session(me.org, me.user, me.session.id)
            .await
        {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(PageError::internal(&e)),
        }
        state.sessions.forget(&me.digest);
    }
    Ok((
        [(header::SET_COOKIE, session::clear_cookie())],
        Redirect::to("/_/"),
    )
        .into_response())
}
