//! `/Groups` (RFC 7644 §3.2–3.6, RFC 7643 §4.2): thin handlers over
//! `crate::provisioning::groups`. Members are read only for a response that shows them.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use scim::{AttrPath, GROUP};

use super::log::LogNote;
use super::request::{if_match, json_body, params_from_object, parse_query};
use super::{ScimFailure, ScimJson, base_url};
use crate::app::AppState;
use crate::domain::OrgId;
use crate::http::auth::ScimClient;
use crate::provisioning::group_list::{self, members_of};
use crate::provisioning::group_representation::{self as repr, shows};
use crate::provisioning::list::parse_paths;
use crate::provisioning::representation::etag;
use crate::provisioning::{ListParams, groups};
use crate::store::{GroupRecord, OrgSeq};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/Groups", get(list).post(create))
        .route("/Groups/.search", post(search))
        .route(
            "/Groups/{id}",
            get(show).put(replace).patch(patch).delete(delete),
        )
}

/// The log line names the group in its detail (the "about" columns are for people).
fn note(group: &GroupRecord) -> LogNote {
    LogNote {
        detail: Some(format!("Group {} {:?}", group.id, group.display_name)),
        ..LogNote::default()
    }
}

/// The group as a response, projected; its members read only when the projection shows them.
async fn resource_response(
    state: &AppState,
    org: OrgId,
    group: &GroupRecord,
    headers: &HeaderMap,
    status: StatusCode,
    (attributes, excluded): &Projection,
) -> Result<ScimJson, ScimFailure> {
    let base = base_url(headers);
    let members = if shows("members", attributes, excluded) {
        Some(members_of(&state.store, org, std::slice::from_ref(group)).await?)
    } else {
        None
    };
    let resource = repr::resource(group, members.as_deref(), &base);
    Ok(ScimJson {
        status,
        location: (status == StatusCode::CREATED).then(|| format!("{base}/Groups/{}", group.id)),
        etag: Some(etag(group.version)),
        note: Some(note(group)),
        body: scim::project(&resource, attributes, excluded, &GROUP),
    })
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), parsed.
type Projection = (Vec<AttrPath>, Vec<AttrPath>);

fn projection(params: &ListParams) -> Result<Projection, ScimFailure> {
    Ok((
        parse_paths(params.attributes.as_deref())?,
        parse_paths(params.excluded_attributes.as_deref())?,
    ))
}

async fn create(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let shown = projection(&parse_query(query.as_deref())?)?;
    let (group, change, moved) = groups::create(&state.store, client.org, &body).await?;
    memberships_changed(&state, moved).await;
    resource_response(
        &state,
        client.org,
        &group,
        &headers,
        StatusCode::CREATED,
        &shown,
    )
    .await
    .map(|r| r.with_change(change))
}

async fn show(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ScimFailure> {
    let group = groups::get(&state.store, client.org, &id).await?;
    // RFC 7644 §3.14: the client already has this version.
    if if_match(&headers, header::IF_NONE_MATCH)?.is_some_and(|m| m.matches(group.version)) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag(group.version))],
        )
            .into_response());
    }
    let shown = projection(&parse_query(query.as_deref())?)?;
    Ok(
        resource_response(&state, client.org, &group, &headers, StatusCode::OK, &shown)
            .await?
            .into_response(),
    )
}

async fn replace(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let shown = projection(&parse_query(query.as_deref())?)?;
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let (group, change, moved) =
        groups::replace(&state.store, client.org, &id, &body, pinned).await?;
    memberships_changed(&state, moved).await;
    resource_response(&state, client.org, &group, &headers, StatusCode::OK, &shown)
        .await
        .map(|r| r.with_change(change))
}

/// RFC 7644 §3.5.2 allows 200 with the resource or 204: a PATCH answers 204 (Okta's and
/// Entra ID's documented Group PATCH responses), so adding one member to a large group never
/// reads the rest; with `attributes` or `excludedAttributes` it answers 200 with those.
async fn patch(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ScimFailure> {
    let body = json_body(body)?;
    let params = parse_query(query.as_deref())?;
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let (group, change, moved) =
        groups::patch(&state.store, client.org, &id, &body, pinned).await?;
    memberships_changed(&state, moved).await;
    if params.attributes.is_none() && params.excluded_attributes.is_none() {
        let mut response = (
            StatusCode::NO_CONTENT,
            [(header::ETAG, etag(group.version))],
        )
            .into_response();
        response.extensions_mut().insert(note(&group).with(change));
        return Ok(response);
    }
    let shown = projection(&params)?;
    Ok(
        resource_response(&state, client.org, &group, &headers, StatusCode::OK, &shown)
            .await?
            .with_change(change)
            .into_response(),
    )
}

async fn delete(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ScimFailure> {
    let pinned = if_match(&headers, header::IF_MATCH)?;
    let group = groups::delete(&state.store, client.org, &id, pinned).await?;
    // A rare write: the sequence it left is read back rather than carried here.
    if let Err(e) = state.index.sync(&state.store).await {
        tracing::warn!(error = %e, "cannot refresh the caches after a group write");
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let change = crate::provisioning::log_summary::group_deleted(&group);
    response.extensions_mut().insert(note(&group).with(change));
    Ok(response)
}

/// A membership write moved the organization's change sequence to `moved`
/// (`store::scim_groups`), and with it perhaps roles given by groups: this server's cached
/// sessions re-read their groups and role now, not at the next sync, so a person removed from
/// a group loses its links and its role with their next request. Usually no read at all: the
/// move is a session-only one, so the link index takes the sequence and keeps its links
/// (`Index::apply_session_write`). `None`: nothing moved.
async fn memberships_changed(state: &AppState, moved: Option<OrgSeq>) {
    let Some(at) = moved else { return };
    if let Err(e) = state.index.apply_session_write(&state.store, at).await {
        tracing::warn!(error = %e, "cannot refresh the caches after a group write");
    }
}

async fn list(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<ScimJson, ScimFailure> {
    let params = parse_query(query.as_deref())?;
    let body = group_list::list(&state.store, client.org, &base_url(&headers), &params).await?;
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
    let body = group_list::list(&state.store, client.org, &base_url(&headers), &params).await?;
    Ok(ScimJson::ok(body))
}
