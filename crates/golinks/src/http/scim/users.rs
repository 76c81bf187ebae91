//! `/Users` (RFC 7644 §3.2–3.6): thin handlers over `crate::provisioning`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use scim::{ScimError, USER};
use serde_json::Value;

use super::log::LogNote;
use super::{ScimFailure, ScimJson, base_url};
use crate::app::AppState;
use crate::http::auth::ScimClient;
use crate::provisioning::representation::{self, EtagMatch, etag};
use crate::provisioning::{self, ListParams};
use crate::store::UserRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list).post(create))
        .route("/Users/.search", post(search))
        // RFC 7644 §3.4.3: a search at the root covers every resource type; Users is the only one.
        .route("/.search", post(search))
        .route(
            "/Users/{id}",
            get(show).put(replace).patch(patch).delete(delete),
        )
}

/// The request body as JSON; SCIM clients send `application/scim+json` or `application/json`.
fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, ScimFailure> {
    let bytes = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ScimError::payload_too_large("the request body is too large")
        }
        _ => ScimError::invalid_syntax("cannot read the request body"),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ScimFailure(ScimError::invalid_syntax(format!(
            "the body is not JSON: {e}"
        )))
    })
}

fn if_match(
    headers: &HeaderMap,
    name: header::HeaderName,
) -> Result<Option<EtagMatch>, ScimFailure> {
    match headers
        .get(name)
        .map(|v| v.to_str().ok().and_then(representation::parse_etag))
    {
        None => Ok(None),
        Some(Some(m)) => Ok(Some(m)),
        Some(None) => {
            Err(ScimError::invalid_value("unreadable ETag in If-Match / If-None-Match").into())
        }
    }
}

fn resource_response(user: &UserRecord, headers: &HeaderMap, status: StatusCode) -> ScimJson {
    let base = base_url(headers);
    // The default projection: nothing `returned: never` (RFC 7643 §2.4).
    let body = scim::project_owned(representation::resource(user, &base), &[], &[], &USER);
    ScimJson {
        status,
        location: (status == StatusCode::CREATED).then(|| format!("{base}/Users/{}", user.id)),
        etag: Some(etag(user.version)),
        note: Some(LogNote::about(user.id, &user.user_name)),
        body,
    }
}

async fn create(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let body = json_body(body)?;
    let user = provisioning::create(&state.store, client.org, &body).await?;
    Ok(resource_response(&user, &headers, StatusCode::CREATED))
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
    let mut response = resource_response(&user, &headers, StatusCode::OK);
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
    let user = provisioning::replace(&state.store, client.org, &id, &body, pinned).await?;
    forget_ended_sessions(&state, !user.active).await;
    Ok(resource_response(&user, &headers, StatusCode::OK))
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
    let user = provisioning::patch(&state.store, client.org, &id, &body, pinned).await?;
    forget_ended_sessions(&state, !user.active).await;
    Ok(resource_response(&user, &headers, StatusCode::OK))
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
        .insert(LogNote::about(user.id, &user.user_name));
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

/// Query parameter names are case-insensitive (RFC 7644 §3.4.2: "attribute names ... are
/// case insensitive"; Entra and Okta send them as the RFC spells them).
fn parse_query(query: Option<&str>) -> Result<ListParams, ScimFailure> {
    let mut object = serde_json::Map::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some(canonical) = canonical_param(&key) else {
            continue;
        };
        let value = match canonical {
            "startIndex" | "count" => {
                value.trim().parse::<i64>().map(Value::from).map_err(|_| {
                    ScimError::invalid_value(format!(
                        "{canonical} must be an integer, not {value:?}"
                    ))
                })?
            }
            _ => Value::String(value.into_owned()),
        };
        object.insert(canonical.to_owned(), value);
    }
    params_from_object(&Value::Object(object))
}

fn params_from_object(body: &Value) -> Result<ListParams, ScimFailure> {
    let object: serde_json::Map<String, Value> = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a SearchRequest is a JSON object"))?
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("schemas"))
        .map(|(k, v)| (canonical_param(k).unwrap_or(k).to_owned(), v.clone()))
        .collect();
    serde_json::from_value(Value::Object(object)).map_err(|e| {
        ScimFailure(ScimError::invalid_value(format!(
            "invalid search parameters: {e}"
        )))
    })
}

/// A query or SearchRequest parameter's RFC spelling, if it is one.
fn canonical_param(key: &str) -> Option<&'static str> {
    const PARAMS: [&str; 8] = [
        "filter",
        "startIndex",
        "count",
        "sortBy",
        "sortOrder",
        "attributes",
        "excludedAttributes",
        "cursor",
    ];
    PARAMS.into_iter().find(|k| k.eq_ignore_ascii_case(key))
}

fn project(resource: Value, params: &ListParams) -> Result<Value, ScimFailure> {
    let parse = |raw: Option<&str>| -> Result<Vec<scim::AttrPath>, ScimError> {
        raw.filter(|r| !r.trim().is_empty())
            .map(scim::parse_attribute_list)
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let attributes = parse(params.attributes.as_deref())?;
    let excluded = parse(params.excluded_attributes.as_deref())?;
    Ok(scim::project_owned(resource, &attributes, &excluded, &USER))
}
