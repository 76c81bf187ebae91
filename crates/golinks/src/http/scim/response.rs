//! SCIM responses: `application/scim+json` (RFC 7644 §3.1), errors in the SCIM error schema
//! (§3.12) with the right status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scim::ScimError;
use serde_json::Value;

use super::log::LogNote;
use crate::provisioning::log_summary::Change;

pub const CONTENT_TYPE: &str = "application/scim+json";

/// A SCIM error as a response. (A wrapper: `ScimError` belongs to the pure `scim` crate.)
#[derive(Debug)]
pub struct ScimFailure(pub ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        ScimFailure(e)
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, e.to_json().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"golinks SCIM\""),
            );
        }
        response.extensions_mut().insert(LogNote::failure(&e));
        response
    }
}

/// A SCIM resource or message.
pub struct ScimJson {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub note: Option<LogNote>,
}

impl ScimJson {
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            location: None,
            etag: None,
            note: None,
        }
    }

    /// The response, logged with what its request changed.
    pub fn with_change(mut self, change: Change) -> Self {
        self.note = Some(self.note.unwrap_or_default().with(change));
        self
    }
}

impl IntoResponse for ScimJson {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        for (name, value) in [(header::LOCATION, self.location), (header::ETAG, self.etag)] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(name, v);
            }
        }
        if let Some(note) = self.note {
            response.extensions_mut().insert(note);
        }
        response
    }
}
