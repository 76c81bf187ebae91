//! `/Users` (RFC 7644 §3.2–3.6): thin handlers over `crate::provisioning`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use scim::USER;
use serde_json::Value;

use super::log::{LogNote, RequestNote};
use super::request::{if_match, json_body, params_from_object, parse_query};
use super::{ScimFailure, ScimJson, base_url};
use crate::app::AppState;
use crate::domain::OrgId;
use crate::http::auth::ScimClient;
use crate::provisioning::list::parse_paths;
use crate::provisioning::representation::{self, etag};
use crate::provisioning::{self, ListParams, groups, log_summary};
use crate::store::UserRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list).post(create))
        .route("/Users/.search", post(search))
        .route(
            "/Users/{id}",
            get(show).put(replace).patch(patch).delete(delete),
        )
}

/// The person as a response, with their groups (RFC 7643 §4.1.2).
async fn resource_response(
    state: &AppState,
    org: OrgId,
    user: &UserRecord,
    headers: &HeaderMap,
    status: StatusCode,
) -> Result<ScimJson, ScimFailure> {
    let base = base_url(headers);
    let mut resource = representation::resource(user, &base);
    // A person just created is in no group yet: no query.
    if status != StatusCode::CREATED {
        let mut groups = groups::of_users(&state.store, org, [user], &base).await?;
        groups::set_groups(&mut resource, groups.remove(&user.id));
    }
    // The default projection: nothing `returned: never` (RFC 7643 §2.4).
    let body = scim::project_owned(resource, &[], &[], &USER);
    Ok(ScimJson {
        status,
        location: (status == StatusCode::CREATED).then(|| format!("{base}/Users/{}", user.id)),
        etag: Some(etag(user.version)),
        note: Some(LogNote::about(user.id, &user.user_name)),
        body,
    })
}

async fn create(
    State(state): State<AppState>,
    client: ScimClient,
    Extension(note): Extension<RequestNote>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let logged = note.lock().map(|n| n.clone()).unwrap_or_default();
    let (user, change) =
        provisioning::create(&state.store, client.org, &body, |id, name, change| {
            logged.success_entry(StatusCode::CREATED, (id, name), change)
        })
        .await?;
    if let Ok(mut note) = note.lock() {
        note.written = true;
    }
    let response =
        resource_response(&state, client.org, &user, &headers, StatusCode::CREATED).await?;
    Ok(response.with_change(change))
}

async fn show(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ScimFailure> {
    let user = provisioning::get(&state.store, client.org, &id).await?;
    // RFC 7644 §3.14: the client already has this version.
    if if_match(&headers, header::IF_NONE_MATCH)?.is_some_and(|m| m.matches(user.version)) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag(user.version))],
        )
            .into_response());
    }
    let params = parse_query(query.as_deref())?;
    let mut response =
        resource_response(&state, client.org, &user, &headers, StatusCode::OK).await?;
    response.body = project(std::mem::take(&mut response.body), &params)?;
    Ok(response.into_response())
}

async fn replace(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let (user, change) =
        provisioning::replace(&state.store, client.org, &id, &body, pinned).await?;
    forget_ended_sessions(&state, !user.active).await;
    let response = resource_response(&state, client.org, &user, &headers, StatusCode::OK).await?;
    Ok(response.with_change(change))
}

async fn patch(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let (user, change) = provisioning::patch(&state.store, client.org, &id, &body, pinned).await?;
    forget_ended_sessions(&state, !user.active).await;
    let response = resource_response(&state, client.org, &user, &headers, StatusCode::OK).await?;
    Ok(response.with_change(change))
}

async fn delete(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimFailure> {
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let user = provisioning::delete(&state.store, client.org, &id, pinned).await?;
    forget_ended_sessions(&state, true).await;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .extensions_mut()
        .insert(LogNote::about(user.id, &user.user_name).with(log_summary::user_deleted(&user)));
    Ok(response)
}

/// Deactivation and deletion ended the person's sessions in the store; this server's session
/// cache learns it now rather than at the next sync, so the next request is refused.
async fn forget_ended_sessions(state: &AppState, ended: bool) {
    if ended && let Err(e) = state.index.sync(&state.store).await {
        tracing::warn!(error = %e, "cannot refresh the caches after a deactivation");
    }
}

async fn list(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<ScimJson, ScimFailure> {
    let params = parse_query(query.as_deref())?;
    let body = provisioning::list(&state.store, client.org, &base_url(&headers), &params).await?;
    Ok(ScimJson::ok(body))
}

/// RFC 7644 §3.4.3: the same query as a SearchRequest body.
async fn search(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let params = params_from_object(&body)?;
    let body = provisioning::list(&state.store, client.org, &base_url(&headers), &params).await?;
    Ok(ScimJson::ok(body))
}

fn project(resource: Value, params: &ListParams) -> Result<Value, ScimFailure> {
    let attributes = parse_paths(params.attributes.as_deref())?;
    let excluded = parse_paths(params.excluded_attributes.as_deref())?;
    Ok(scim::project_owned(resource, &attributes, &excluded, &USER))
}
