//! `/_/me`: who I am, where I am signed in (ending any other session), signing out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Member, Nav, SameOrigin, TokenRow, token_name};
use crate::app::AppState;
use crate::domain::{Secret, TokenId, TokenKind};
use crate::http::error::PageError;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/me", get(me))
        .route("/_/me/sessions/{id}/end", post(end_session))
        .route("/_/me/tokens", post(create_token))
        .route("/_/me/tokens/{id}/revoke", post(revoke_token))
}

struct SessionRow {
    id: String,
    created_at: String,
    last_seen_at: String,
    user_agent: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    nav: Option<Nav>,
    user_name: String,
    role: String,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    /// A token just created, shown this once.
    created: Option<String>,
    error: Option<String>,
}

async fn me(State(state): State<AppState>, member: Member) -> Result<Response, PageError> {
    Ok(me_page(&state, &member, None, None).await?.into_response())
}

async fn me_page(
    state: &AppState,
    member: &Member,
    created: Option<String>,
    error: Option<String>,
) -> Result<MePage, PageError> {
    let stamp = super::when;
    let sessions = state
        .store
        .list_sessions(member.org.id, member.me.user)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            created_at: stamp(s.created_at),
            last_seen_at: stamp(s.last_seen_at),
            user_agent: s.user_agent.unwrap_or_default(),
            current: s.id == member.me.session.id,
        })
        .collect();
    let tokens = state
        .store
        .list_api_tokens(member.org.id, member.me.user)
        .await?
        .into_iter()
        .map(TokenRow::from)
        .collect();
    Ok(MePage {
        nav: member.nav("me"),
        user_name: member.user_name.clone(),
        role: member.me.session.role.to_string(),
        sessions,
        tokens,
        created,
        error,
    })
}

#[derive(serde::Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Form(form): Form<NewToken>,
) -> Result<Response, PageError> {
    let name = match token_name(&form.name) {
        Ok(name) => name,
        Err(why) => {
            let page = me_page(&state, &member, None, Some(why.into())).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let secret = Secret::generate(TokenKind::Api);
    state.unknown_secrets.forget(&secret.digest());
    state
        .store
        .create_api_token(member.org.id, member.me.user, name, &secret.digest())
        .await?;
    let page = me_page(&state, &member, Some(secret.reveal().to_owned()), None).await?;
    Ok(page.into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: TokenId = id
        .parse()
        .map_err(|_| PageError::new(StatusCode::NOT_FOUND, "There is no such token."))?;
    match state
        .store
        .revoke_api_token(member.org.id, member.me.user, id)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/_/me")]).into_response())
}

async fn end_session(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id
        .parse()
        .map_err(|_| PageError::new(StatusCode::NOT_FOUND, "There is no such session."))?;
    match state
        .store
        .revoke_session(member.org.id, member.me.user, id)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = state.index.sync(&state.store).await {
        tracing::warn!(error = %e, "cannot refresh the caches after ending a session");
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/_/me")]).into_response())
}
