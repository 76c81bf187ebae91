//! `/_/api/v1/me/sessions`: a person sees where they are signed in and ends a session.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::http::auth::ApiActor;
use crate::http::error::{ApiError, Problem};
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(sessions))
        .route("/me/sessions/{id}", delete(end_session))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; updated at most once a minute.
    pub last_seen_at: String,
    pub user_agent: Option<String>,
}

#[utoipa::path(get, path = "/_/api/v1/me/sessions",
    responses((status = 200, body = [SessionView]), (status = 401, body = Problem)))]
pub async fn sessions(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<axum::Json<Vec<SessionView>>, ApiError> {
    let list = state
        .store
        .list_sessions(caller.org.org.id, caller.actor.user)
        .await?;
    let stamp = crate::provisioning::representation::timestamp;
    Ok(axum::Json(
        list.into_iter()
            .map(|s| SessionView {
                id: s.id,
                created_at: stamp(s.created_at),
                last_seen_at: stamp(s.last_seen_at),
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/_/api/v1/me/sessions/{id}", params(("id" = Uuid, Path, description = "Session id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn end_session(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "no such session"))?;
    match state
        .store
        .revoke_session(caller.org.org.id, caller.actor.user, id)
        .await
    {
        Ok(()) => {
            // This server forgets it at once; others when the change feed (or their poll) tells them.
            if let Err(e) = state.index.sync(&state.store).await {
                tracing::warn!(error = %e, "cannot refresh the caches after ending a session");
            }
            Ok(StatusCode::NO_CONTENT)
        }
        Err(StoreError::NotFound) => Err(ApiError::new(StatusCode::NOT_FOUND, "no such session")),
        Err(e) => Err(e.into()),
    }
}
