//! `/_/api/v1/links`: list and search, create, read, change, delete, usage.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use crate::app::AppState;
use crate::domain::{LinkId, Visibility};
use crate::http::auth::ApiActor;
use crate::http::error::{ApiError, Problem};
use crate::links::{LinkInput, Links, WriteContext};
use crate::store::{GroupRef, HistoryEntry, Link, LinkQuery, Owner, OwnerGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/links", get(list).post(create))
        .route("/links/{id}", get(show).patch(update).delete(delete))
        .route("/links/{id}/usage", get(usage))
        .route("/links/{id}/history", get(history))
}

pub const MAX_PAGE: i64 = 200;

/// A link as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    #[schema(value_type = String, format = Uuid)]
    pub id: LinkId,
    pub name: String,
    pub url: String,
    pub description: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub visibility: Visibility,
    /// The person who owns the link; none when a team owns it (or nobody does).
    pub owner: Option<Owner>,
    /// The team (group) that owns the link: its members may edit it.
    pub owner_group: Option<OwnerGroup>,
    /// Only this group's members may follow the link.
    pub visible_to_group: Option<GroupRef>,
    pub clicks: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_clicked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Link> for LinkView {
    fn from(l: Link) -> Self {
        LinkView {
            id: l.id,
            name: l.name,
            url: l.url,
            description: l.description,
            tags: l.tags,
            aliases: l.aliases,
            visibility: l.visibility,
            owner: l.owner,
            owner_group: l.owner_group,
            visible_to_group: l.visible_to,
            clicks: l.clicks_total,
            last_clicked_at: l.last_clicked_at,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub links: Vec<LinkView>,
    /// How many links match in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Text to find in names, aliases, destinations, descriptions and tags.
    q: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<i64>,
    /// How many matches to skip.
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/_/api/v1/links", params(ListParams),
    responses((status = 200, body = LinkList), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<LinkList>, ApiError> {
    let Query(params) =
        params.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let limit = params.limit.unwrap_or(50);
    let offset = params.offset.unwrap_or(0);
    if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit is 1–{MAX_PAGE} and offset ≥ 0"),
        ));
    }
    let query = LinkQuery {
        text: params.q.unwrap_or_default(),
        viewer: Some(caller.actor.user),
        limit,
        offset,
        ..Default::default()
    };
    let (found, total) = state.store.search_links(caller.org.org.id, &query).await?;
    let links = found.into_iter().map(LinkView::from).collect();
    Ok(axum::Json(LinkList {
        links,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(post, path = "/_/api/v1/links", request_body = LinkInput,
    responses((status = 201, body = LinkView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<impl IntoResponse, ApiError> {
    let own_hosts = caller.org.own_hosts();
    let cx = WriteContext {
        org: caller.org.org.id,
        actor: Some(caller.actor),
        own_hosts: &own_hosts,
    };
    let link = Links::of(&state).create(&cx, input).await?;
    let location = format!("/_/api/v1/links/{}", link.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(LinkView::from(link)),
    ))
}

#[utoipa::path(get, path = "/_/api/v1/links/{id}", params(("id" = String, Path, description = "Link id or name")),
    responses((status = 200, body = LinkView), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<axum::Json<LinkView>, ApiError> {
    let link = Links::of(&state)
        .find_visible(caller.org.org.id, &caller.actor, &id)
        .await?;
    Ok(axum::Json(link.into()))
}

#[utoipa::path(patch, path = "/_/api/v1/links/{id}", request_body = LinkInput,
    params(("id" = String, Path, description = "Link id or name")),
    responses((status = 200, body = LinkView), (status = 403, body = Problem), (status = 404, body = Problem),
               (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<axum::Json<LinkView>, ApiError> {
    let link = Links::of(&state)
        .find_visible(caller.org.org.id, &caller.actor, &id)
        .await?;
    let own_hosts = caller.org.own_hosts();
    let cx = WriteContext {
        org: caller.org.org.id,
        actor: Some(caller.actor),
        own_hosts: &own_hosts,
    };
    Ok(axum::Json(
        Links::of(&state).update(&cx, &link, input).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/_/api/v1/links/{id}", params(("id" = String, Path, description = "Link id or name")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let link = Links::of(&state)
        .find_visible(caller.org.org.id, &caller.actor, &id)
        .await?;
    let cx = WriteContext {
        org: caller.org.org.id,
        actor: Some(caller.actor),
        own_hosts: &[],
    };
    Links::of(&state).delete(&cx, &link).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayUsage {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub clicks: i64,
    pub unique_users: i64,
}

#[utoipa::path(get, path = "/_/api/v1/links/{id}/usage", params(("id" = String, Path, description = "Link id or name")),
    responses((status = 200, body = [DayUsage]), (status = 404, body = Problem)))]
pub async fn usage(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<DayUsage>>, ApiError> {
    let link = Links::of(&state)
        .find_visible(caller.org.org.id, &caller.actor, &id)
        .await?;
    let days = state.store.daily_clicks(caller.org.org.id, link.id).await?;
    Ok(axum::Json(
        days.into_iter()
            .map(|(day, clicks, unique_users)| DayUsage {
                day: day.to_string(),
                clicks,
                unique_users,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/_/api/v1/links/{id}/history", params(("id" = String, Path, description = "Link id or name")),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<HistoryEntry>>, ApiError> {
    let link = Links::of(&state)
        .find_visible(caller.org.org.id, &caller.actor, &id)
        .await?;
    Ok(axum::Json(
        state.store.link_history(caller.org.org.id, link.id).await?,
    ))
}
