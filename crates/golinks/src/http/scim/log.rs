//! The provisioning log: every SCIM request that changes something, and every one that fails,
//! with who asked (token), about whom, and the outcome.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use scim::ScimError;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::OrgId;
use crate::provisioning::log_summary::{Change, failure};
use crate::store::LogEntry;

/// What handlers and extractors learn about a request, for its log line.
#[derive(Debug, Clone, Default)]
pub struct LogNote {
    /// The request as logged (set by [`record`]): method, path with query, and its start.
    pub(super) request: Option<(Method, String, Instant)>,
    /// The handler wrote the row itself, in its change's own transaction (a create):
    /// [`record`] writes nothing more.
    pub written: bool,
    pub org: Option<OrgId>,
    pub token: Option<(Uuid, String)>,
    pub user: Option<(Uuid, String)>,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
    /// What a change did, in words and as data (`provisioning::log_summary`).
    pub change: Option<Change>,
}

impl LogNote {
    pub fn failure(e: &ScimError) -> Self {
        Self {
            scim_type: e.scim_type.map(|t| t.as_str().to_owned()),
            detail: Some(e.detail.clone()),
            ..Self::default()
        }
    }

    pub fn about(id: Uuid, user_name: &str) -> Self {
        Self {
            user: Some((id, user_name.to_owned())),
            ..Self::default()
        }
    }

    pub fn with(self, change: Change) -> Self {
        Self {
            change: Some(change),
            ..self
        }
    }

    /// The row a successful request with `change` gets, for a handler that writes it with the
    /// change itself (one transaction, one commit: `Store::insert_scim_user`).
    pub fn success_entry(
        &self,
        status: StatusCode,
        user: (Uuid, &str),
        change: &Change,
    ) -> LogEntry {
        let done = LogNote {
            user: Some((user.0, user.1.to_owned())),
            change: Some(change.clone()),
            ..self.clone()
        };
        done.entry(status)
    }

    /// The request's log row, with what it came to (`status`).
    fn entry(self, status: StatusCode) -> LogEntry {
        let (method, path, started) = self
            .request
            .clone()
            .unwrap_or_else(|| (Method::POST, String::new(), Instant::now()));
        let (summary, changes) = self.summary(status, || {
            let request_path = path.split('?').next().unwrap_or_default();
            format!("{method} {request_path}")
        });
        LogEntry {
            at: time::OffsetDateTime::now_utc(),
            token_id: self.token.as_ref().map(|t| t.0),
            token_name: self.token.map(|t| t.1),
            method: method.to_string(),
            path,
            user_id: self.user.as_ref().map(|u| u.0),
            user_name: self.user.map(|u| u.1),
            status: i32::from(status.as_u16()),
            scim_type: self.scim_type,
            detail: self.detail,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            summary: Some(summary),
            changes,
        }
    }

    /// The log line's summary and detail document: what the handler said the request did,
    /// or why it failed (a failure changed nothing, so it has no detail document).
    fn summary(
        &self,
        status: StatusCode,
        request: impl FnOnce() -> String,
    ) -> (String, Option<String>) {
        match &self.change {
            _ if !status.is_success() => (failure(status.as_u16(), self.detail.as_deref()), None),
            Some(c) => (c.summary.clone(), Some(c.changes.to_string())),
            None => (request(), None),
        }
    }
}

/// Shared between the middleware and the request's extractors.
pub type RequestNote = Arc<Mutex<LogNote>>;

pub async fn record(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let request_path = request.uri().path().to_owned();
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(crate::index::strip_port);
    let host_org = state.index.hosts().org_for(host).map(|o| o.id);
    let note: RequestNote = Arc::new(Mutex::new(LogNote {
        request: Some((method.clone(), path, started)),
        ..LogNote::default()
    }));
    request.extensions_mut().insert(Arc::clone(&note));
    let response = next.run(request).await;
    let status = response.status();
    crate::metrics::scim_request(&method, &request_path, status);
    let search = method == Method::POST && request_path.ends_with("/.search");
    let read_only = method == Method::GET || search;
    if read_only && status.as_u16() < 400 {
        return response;
    }
    let mut note = note.lock().map(|n| n.clone()).unwrap_or_default();
    if note.written {
        return response;
    }
    if let Some(from_response) = response.extensions().get::<LogNote>() {
        note.user = from_response.user.clone().or(note.user);
        note.scim_type = from_response.scim_type.clone().or(note.scim_type);
        note.detail = from_response.detail.clone().or(note.detail);
        note.change = from_response.change.clone().or(note.change);
    }
    // A request without a valid token is logged under the organization of its host name.
    let org = note.org.or(host_org);
    let Some(org) = org else { return response };
    if note.token.is_none() && !state.scim_limiter.may_log_anonymous(org) {
        return response;
    }
    let entry = note.entry(status);
    if let Err(e) = state.store.append_provisioning_log(org, &entry).await {
        tracing::error!(error = %e, "cannot write the provisioning log");
    }
    response
}
