//! Signing in with a one-time link (`golinks login-link`), and signing out. The link's page
//! asks for a click, so that a link preview or a scanner fetching it does not use it up. The
//! click posts the token as a form field to one fixed path: the page never builds a form
//! action from the URL it was reached by.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::{TokenKind, token};
use crate::http::auth::{HostOrg, SameOrigin, SignInAttempt, Visitor, session};
use crate::http::error::PageError;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/login/{token}", get(confirm))
        .route("/_/login", post(sign_in))
        .route("/_/logout", post(sign_out))
        .route("/_/signed-out", get(signed_out))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct ConfirmPage<'a> {
    nav: Option<super::Nav>,
    token: &'a str,
}

#[derive(Template, WebTemplate)]
#[template(path = "signed_out.html")]
struct SignedOutPage {
    nav: Option<super::Nav>,
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    token: String,
}

const NOT_VALID: &str = "This sign-in link is not valid: it was used already, it expired, it \
                         is for another organization's address, or the person is inactive. Ask \
                         for a new one.";

/// The page for a well-formed token only: anything else (`..%2F_%2Fadmin…`) is no link of
/// ours and gets no form.
async fn confirm(token: Result<Path<String>, PathRejection>) -> Response {
    match token {
        Ok(Path(token)) if token::is_well_formed(TokenKind::Login, &token) => ConfirmPage {
            nav: None,
            token: &token,
        }
        .into_response(),
        _ => {
            PageError::new(StatusCode::NOT_FOUND, "There is no such sign-in link.").into_response()
        }
    }
}

/// Uses the link, for the organization of the host it is used on: a link made for another
/// organization is refused and stays unused.
async fn sign_in(
    _attempt: SignInAttempt,
    State(state): State<AppState>,
    _: SameOrigin,
    host: HostOrg,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PageError> {
    let refused = || PageError::new(StatusCode::BAD_REQUEST, NOT_VALID);
    let token = match form {
        Ok(Form(form)) if token::is_well_formed(TokenKind::Login, &form.token) => form.token,
        _ => return Err(refused()),
    };
    let org = host.org.id;
    let user = match state
        .store
        .consume_login_link(org, &token::digest(&token))
        .await
    {
        Ok(user) => user,
        Err(StoreError::NotFound) => return Err(refused()),
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
    let cleared = session::clear_cookie(state.config.https());
    // To a page of ours that stays put: the pages' CSP (`form-action 'self'`) also covers the
    // redirects after a form post, so sending the browser on through `/saml/login` to the
    // identity provider would be blocked.
    let to = Redirect::to("/_/signed-out");
    Ok(([(header::SET_COOKIE, cleared)], to).into_response())
}

async fn signed_out() -> Response {
    SignedOutPage { nav: None }.into_response()
}
