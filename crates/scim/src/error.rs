//! The one error type of the crate: an RFC 7644 §3.12 error response.
//!
//! Each constructor fixes the HTTP status that goes with its `scimType`, so a
//! caller cannot pair `uniqueness` with 400 or `invalidFilter` with 500; the
//! HTTP layer only serializes what it is given (`to_json`, `status`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The schema URN of an error response body (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `detail` of every 500: the cause is logged by the caller, never sent
/// (style §7: no `err.to_string()` of an internal error on the wire).
const INTERNAL_DETAIL: &str = "internal server error";

/// The `scimType` detail error keywords of RFC 7644 §3.12, Table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    /// The filter syntax was invalid, or the attribute and comparison combination is not supported.
    InvalidFilter,
    /// The filter yields more results than the server is willing to process.
    TooMany,
    /// An attribute value is already in use or reserved.
    Uniqueness,
    /// The modification is incompatible with the attribute's mutability.
    Mutability,
    /// The body does not conform to the request schema.
    InvalidSyntax,
    /// The PATCH `path` is invalid or malformed.
    InvalidPath,
    /// The PATCH `path` did not yield an attribute that could be operated on.
    NoTarget,
    /// A required value was missing or a value is incompatible with the attribute.
    InvalidValue,
    /// The SCIM protocol version is not supported.
    InvalidVers,
    /// Sensitive information was passed in the request URI.
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidFilter => "invalidFilter",
            Self::TooMany => "tooMany",
            Self::Uniqueness => "uniqueness",
            Self::Mutability => "mutability",
            Self::InvalidSyntax => "invalidSyntax",
            Self::InvalidPath => "invalidPath",
            Self::NoTarget => "noTarget",
            Self::InvalidValue => "invalidValue",
            Self::InvalidVers => "invalidVers",
            Self::Sensitive => "sensitive",
        }
    }

    /// The HTTP status that carries this keyword.
    ///
    /// Table 9 defines every keyword for 400 responses, but §3.3 requires 409
    /// with "uniqueness" for a duplicate (scim2-models made the same change).
    pub const fn status(self) -> u16 {
        match self {
            Self::Uniqueness => 409,
            _ => 400,
        }
    }
}

impl std::fmt::Display for ScimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RFC 7644 §3.12 error: HTTP status, optional `scimType`, human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SCIM {status}{}: {detail}", scim_type.map(|t| format!(" {t}")).unwrap_or_default())]
pub struct ScimError {
    /// The HTTP status code.
    pub status: u16,
    /// The detail keyword, when the status has one (400, 409).
    pub scim_type: Option<ScimType>,
    /// A message for the client; never an internal error's text.
    pub detail: String,
}

impl ScimError {
    fn typed(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self {
            status: scim_type.status(),
            scim_type: Some(scim_type),
            detail: detail.into(),
        }
    }

    fn untyped(status: u16, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type: None,
            detail: detail.into(),
        }
    }

    /// 400 `invalidFilter` (RFC 7644 §3.4.2.2).
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::InvalidFilter, detail)
    }

    /// 400 `tooMany`.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::TooMany, detail)
    }

    /// 409 `uniqueness` (RFC 7644 §3.3).
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::Uniqueness, detail)
    }

    /// 409 Conflict: the same as [`ScimError::uniqueness`], because the only
    /// conflict RFC 7644 defines (§3.3, §3.5.1) is a duplicate value.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::uniqueness(detail)
    }

    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::Mutability, detail)
    }

    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::InvalidSyntax, detail)
    }

    /// 400 `invalidPath` (RFC 7644 §3.5.2).
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::InvalidPath, detail)
    }

    /// 400 `noTarget` (RFC 7644 §3.5.2).
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::NoTarget, detail)
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::InvalidValue, detail)
    }

    /// 400 `invalidVers`.
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::InvalidVers, detail)
    }

    /// 400 `sensitive` (RFC 7644 §7.5.2: personal data in a request URI).
    pub fn sensitive(detail: impl Into<String>) -> Self {
        Self::typed(ScimType::Sensitive, detail)
    }

    /// 400 without a keyword, for a bad request no keyword describes.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::untyped(400, detail)
    }

    /// 401 Unauthorized (RFC 7644 §2: authentication is required).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::untyped(401, detail)
    }

    /// 403 Forbidden.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::untyped(403, detail)
    }

    /// 404 Not Found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::untyped(404, detail)
    }

    /// 412 Precondition Failed: the `If-Match` version did not match (RFC 7644 §3.14).
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::untyped(412, detail)
    }

    /// 413 Payload Too Large (RFC 7644 §3.12, §3.7.3 `maxPayloadSize`).
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::untyped(413, detail)
    }

    /// 429 Too Many Requests (RFC 6585 §4); `Retry-After` is the HTTP layer's.
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::untyped(429, detail)
    }

    /// 500 with a fixed message; log the cause, do not send it.
    pub fn internal() -> Self {
        Self::untyped(500, INTERNAL_DETAIL)
    }

    /// 501 Not Implemented (RFC 7644 §3.12: an unsupported operation, e.g. Bulk).
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        Self::untyped(501, detail)
    }

    /// The RFC 7644 §3.12 response body. `status` is a JSON string there, and
    /// `scimType` is omitted when there is none.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let (Some(scim_type), Some(object)) = (self.scim_type, body.as_object_mut()) {
            object.insert("scimType".to_owned(), Value::from(scim_type.as_str()));
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scim_type_serializes_to_its_rfc_keyword() {
        let cases = [
            (ScimType::InvalidFilter, "invalidFilter", 400),
            (ScimType::TooMany, "tooMany", 400),
            (ScimType::Uniqueness, "uniqueness", 409),
            (ScimType::Mutability, "mutability", 400),
            (ScimType::InvalidSyntax, "invalidSyntax", 400),
            (ScimType::InvalidPath, "invalidPath", 400),
            (ScimType::NoTarget, "noTarget", 400),
            (ScimType::InvalidValue, "invalidValue", 400),
            (ScimType::InvalidVers, "invalidVers", 400),
            (ScimType::Sensitive, "sensitive", 400),
        ];
        for (scim_type, keyword, status) in cases {
            assert_eq!(
                serde_json::to_value(scim_type).ok(),
                Some(Value::from(keyword))
            );
            assert_eq!(scim_type.as_str(), keyword);
            assert_eq!(scim_type.status(), status, "status of {keyword}");
            let back: Result<ScimType, _> = serde_json::from_value(Value::from(keyword));
            assert_eq!(back.ok(), Some(scim_type), "deserialize {keyword}");
        }
    }

    #[test]
    fn constructors_pair_each_status_with_its_keyword() {
        let cases = [
            (
                ScimError::invalid_filter("d"),
                400,
                Some(ScimType::InvalidFilter),
            ),
            (ScimError::too_many("d"), 400, Some(ScimType::TooMany)),
            (ScimError::uniqueness("d"), 409, Some(ScimType::Uniqueness)),
            (ScimError::conflict("d"), 409, Some(ScimType::Uniqueness)),
            (ScimError::mutability("d"), 400, Some(ScimType::Mutability)),
            (
                ScimError::invalid_syntax("d"),
                400,
                Some(ScimType::InvalidSyntax),
            ),
            (
                ScimError::invalid_path("d"),
                400,
                Some(ScimType::InvalidPath),
            ),
            (ScimError::no_target("d"), 400, Some(ScimType::NoTarget)),
            (
                ScimError::invalid_value("d"),
                400,
                Some(ScimType::InvalidValue),
            ),
            (
                ScimError::invalid_vers("d"),
                400,
                Some(ScimType::InvalidVers),
            ),
            (ScimError::sensitive("d"), 400, Some(ScimType::Sensitive)),
            (ScimError::bad_request("d"), 400, None),
            (ScimError::unauthorized("d"), 401, None),
            (ScimError::forbidden("d"), 403, None),
            (ScimError::not_found("d"), 404, None),
            (ScimError::precondition_failed("d"), 412, None),
            (ScimError::payload_too_large("d"), 413, None),
            (ScimError::too_many_requests("d"), 429, None),
            (ScimError::not_implemented("d"), 501, None),
        ];
        for (error, status, scim_type) in cases {
            assert_eq!(error.status, status, "{error}");
            assert_eq!(error.scim_type, scim_type, "{error}");
            assert_eq!(error.detail, "d", "{error}");
        }
    }

    #[test]
    fn to_json_is_the_rfc_7644_error_body_with_status_as_a_string() {
        let body = ScimError::invalid_filter("expected an operator").to_json();
        assert_eq!(
            body,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "400",
                "scimType": "invalidFilter",
                "detail": "expected an operator",
            })
        );
    }

    #[test]
    fn to_json_omits_scim_type_when_there_is_none() {
        let body = ScimError::not_found("no such user").to_json();
        assert_eq!(
            body,
            json!({
                "schemas": [ERROR_SCHEMA],
                "status": "404",
                "detail": "no such user",
            })
        );
    }

    #[test]
    fn internal_never_carries_a_cause() {
        let error = ScimError::internal();
        assert_eq!(error.status, 500);
        assert_eq!(error.scim_type, None);
        assert_eq!(error.detail, INTERNAL_DETAIL);
    }

    #[test]
    fn display_names_status_keyword_and_detail() {
        assert_eq!(
            ScimError::uniqueness("userName taken").to_string(),
            "SCIM 409 uniqueness: userName taken"
        );
        assert_eq!(ScimError::not_found("gone").to_string(), "SCIM 404: gone");
    }

    #[test]
    fn scim_error_is_a_std_error() {
        fn assert_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
        assert_error(&ScimError::internal());
    }
}
