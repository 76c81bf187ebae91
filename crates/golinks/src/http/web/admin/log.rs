//! The provisioning log, filtered by failure, person and time, under an overview of each
//! SCIM token's activity.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Admin;
use super::log_rows::{LogRow, TokenRow};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::http::web::Nav;
use crate::store::LogQuery;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/_/admin/log", get(log))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_log.html")]
struct LogPage {
    nav: Option<Nav>,
    failed_only: bool,
    person: String,
    since: String,
    error: Option<String>,
    tokens: Vec<TokenRow>,
    entries: Vec<LogRow>,
}

#[derive(Deserialize)]
struct LogFilter {
    failed: Option<String>,
    person: Option<String>,
    since: Option<String>,
}

async fn log(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(filter): Query<LogFilter>,
) -> Result<Response, PageError> {
    let failed_only = filter.failed.is_some_and(|f| !f.is_empty());
    let person = filter.person.unwrap_or_default().trim().to_owned();
    let since_text = filter.since.unwrap_or_default().trim().to_owned();
    let (since, error) = match since_text.as_str() {
        "" => (None, None),
        raw => match crate::store::parse_since(raw) {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e)),
        },
    };
    let query = LogQuery {
        since,
        failed_only,
        person: Some(person.clone()).filter(|p| !p.is_empty()),
        limit: 200,
    };
    let entries = state
        .store
        .provisioning_log(admin.org.id, &query)
        .await?
        .into_iter()
        .map(LogRow::from)
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let tokens = state
        .store
        .scim_token_activity(admin.org.id, now)
        .await?
        .iter()
        .map(|t| TokenRow::of(t, now))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        LogPage {
            nav: admin.nav("admin"),
            failed_only,
            person,
            since: since_text,
            error,
            tokens,
            entries,
        },
    )
        .into_response())
}
