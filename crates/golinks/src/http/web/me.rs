//! `/_/me`: who I am, where I am signed in (ending any other session), signing out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Member, Nav};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::http::session;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/me", get(me))
        .route("/_/me/sessions/{id}/end", post(end_session))
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
}

async fn me(State(state): State<AppState>, member: Member) -> Result<Response, PageError> {
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
    Ok(MePage {
        nav: member.nav("me"),
        user_name: member.user_name.clone(),
        role: member.me.session.role.to_string(),
        sessions,
    }
    .into_response())
}

async fn end_session(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if !session::same_origin(&method, &headers) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form was sent from another site. Go back to go/ and try again.",
        ));
    }
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
