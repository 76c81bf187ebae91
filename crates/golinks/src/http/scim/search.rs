//! `POST /.search` (RFC 7644 §3.4.3): a search at the root covers every resource type,
//! Users then Groups, paged as one list. A filter naming an attribute one type lacks matches
//! none of that type (the filter is refused only when it fits neither).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::post;
use scim::ScimError;
use serde_json::Value;

use super::request::{json_body, params_from_object};
use super::{ScimFailure, ScimJson, base_url};
use crate::app::AppState;
use crate::http::auth::ScimClient;
use crate::provisioning::list::{DEFAULT_COUNT, MAX_COUNT};
use crate::provisioning::{ListParams, group_list, list};

pub fn router() -> Router<AppState> {
    Router::new().route("/.search", post(search))
}

async fn search(
    State(state): State<AppState>,
    client: ScimClient,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScimJson, ScimFailure> {
    let params = params_from_object(&json_body(body)?)?;
    if params.cursor.is_some() {
        return Err(ScimError::invalid_value(
            "cursor paging is per resource type: search /Users or /Groups",
        )
        .into());
    }
    let base = base_url(&headers);
    let start = params.start_index.unwrap_or(1).max(1);
    let count = params.count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_COUNT);
    let users = list(&state.store, client.org, &base, &params).await;
    let users_total = users.as_ref().map_or(0, total);
    let shown = users.as_ref().map_or(0, |u| resources(u).len() as i64);
    // The groups that follow the users on this page.
    let group_params = ListParams {
        start_index: Some((start - users_total).max(1)),
        count: Some(count - shown),
        ..params.clone()
    };
    let groups = group_list::list(&state.store, client.org, &base, &group_params).await;
    let (users, groups) = match (users, groups) {
        (Err(e), Err(_)) => return Err(e.into()),
        (u, g) => (u.ok(), g.ok()),
    };
    let groups_total = groups.as_ref().map_or(0, total);
    let mut all: Vec<Value> = users.as_ref().map(resources).unwrap_or_default();
    if count > shown {
        all.extend(groups.as_ref().map(resources).unwrap_or_default());
    }
    let per_page = all.len() as u64;
    Ok(ScimJson::ok(scim::list_response(
        all,
        (users_total + groups_total) as u64,
        start as u64,
        per_page,
        None,
    )))
}

fn total(list: &Value) -> i64 {
    list.get("totalResults")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn resources(list: &Value) -> Vec<Value> {
    list.get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
