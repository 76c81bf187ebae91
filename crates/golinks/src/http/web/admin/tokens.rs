//! SCIM tokens: create (the secret is shown once), list with last use, revoke.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Admin, back_to};
use crate::app::AppState;
use crate::domain::{Secret, TokenKind};
use crate::http::error::PageError;
use crate::http::web::{Member, Nav, TokenRow, token_name};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/_/admin/tokens", get(tokens).post(create_token))
        .route("/_/admin/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    nav: Option<Nav>,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    admin: &Member,
    created: Option<(String, String)>,
    error: Option<String>,
) -> Result<TokensPage, PageError> {
    let tokens = state
        .store
        .list_scim_tokens(admin.org.id)
        .await?
        .into_iter()
        .map(TokenRow::from)
        .collect();
    Ok(TokensPage {
        nav: admin.nav("admin"),
        tokens,
        created,
        error,
    })
}

async fn tokens(State(state): State<AppState>, Admin(admin): Admin) -> Result<Response, PageError> {
    Ok(tokens_page(&state, &admin, None, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Form(form): Form<NewToken>,
) -> Result<Response, PageError> {
    let name = match token_name(&form.name) {
        Ok(name) => name,
        Err(why) => {
            let page = tokens_page(&state, &admin, None, Some(why.into())).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let secret = Secret::generate(TokenKind::Scim);
    state.unknown_secrets.forget(&secret.digest());
    state
        .store
        .create_scim_token(admin.org.id, name, &secret.digest())
        .await?;
    let created = Some((name.to_owned(), secret.reveal().to_owned()));
    Ok(tokens_page(&state, &admin, created, None)
        .await?
        .into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if id.parse::<uuid::Uuid>().is_err() {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "There is no such token.",
        ));
    }
    state.store.revoke_scim_tokens(admin.org.id, &id).await?;
    Ok(back_to("/_/admin/tokens"))
}
