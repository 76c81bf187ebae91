//! Reading SCIM requests, the same for every resource type: the JSON body, `If-Match` /
//! `If-None-Match` (RFC 7644 §3.14), and list parameters from a query string or a
//! SearchRequest (§3.4.2, §3.4.3).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use scim::ScimError;
use serde_json::Value;

use super::ScimFailure;
use crate::provisioning::ListParams;
use crate::provisioning::representation::{self, EtagMatch};

/// The request body as JSON; SCIM clients send `application/scim+json` or `application/json`.
pub fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, ScimFailure> {
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

pub fn if_match(
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

/// Query parameter names are case-insensitive (RFC 7644 §3.4.2: "attribute names ... are
/// case insensitive"; Entra and Okta send them as the RFC spells them).
pub fn parse_query(query: Option<&str>) -> Result<ListParams, ScimFailure> {
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

pub fn params_from_object(body: &Value) -> Result<ListParams, ScimFailure> {
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
