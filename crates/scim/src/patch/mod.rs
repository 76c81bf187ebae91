//! PATCH (RFC 7644 §3.5.2): the request, read by [`parse`] — which is where
//! the identity providers' request shapes are accepted — and applied by
//! [`apply`], which yields a new resource or an error, never half a change.
//!
//! ```
//! use scim::{USER, patch};
//! use serde_json::json;
//!
//! let user = json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "id": "23a35c27", "userName": "test.user@okta.local", "active": true,
//! });
//! // Okta's deactivation (Okta's SCIM 2.0 reference, "Update a specific User (PATCH)").
//! let body = json!({
//!     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
//!     "Operations": [{"op": "replace", "value": {"active": false}}],
//! });
//! let request = patch::parse(&body)?;
//! let patched = patch::apply(&user, &request, &USER)?;
//! assert_eq!(patched["active"], json!(false));
//! # Ok::<(), scim::ScimError>(())
//! ```

mod apply;
mod parse;
mod select;

use serde_json::Value;

use crate::error::ScimError;
use crate::path::PatchPath;
use crate::schema::Schema;

pub use apply::apply;
pub use parse::parse;

/// The schema URN of a PATCH request body (RFC 7644 §3.5.2).
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most operations one request may carry, counted after [`parse`] has
/// spelled IdP shapes out (one path-less value with 3 attributes counts 3).
/// Entra ID and Okta send a handful; the bound caps a hostile request's work.
pub const MAX_OPERATIONS: usize = 1000;

/// A PATCH request: its operations, in order (RFC 7644 §3.5.2: "processed
/// sequentially in the order they appear").
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub ops: Vec<PatchOp>,
}

/// One operation.
///
/// After [`parse`], `path` is `None` only for an `add`/`replace` whose value
/// has no members the parser could name, and `remove` always has a path and
/// no value. `apply` accepts hand-built operations too, path-less ones
/// included (RFC 7644 §3.5.2.1, §3.5.2.3: the target is the resource).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<PatchPath>,
    /// `Some(Value::Null)` is an explicit `null`: "unassigned" (RFC 7643
    /// §2.5), which `add` and `replace` treat as removing the attribute.
    pub value: Option<Value>,
}

/// The operation (RFC 7644 §3.5.2: `"op"` is one of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    Add,
    Remove,
    Replace,
}

impl OpKind {
    /// The keyword in RFC 7644's (lower-case) spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "remove",
            Self::Replace => "replace",
        }
    }
}

impl std::fmt::Display for OpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PatchRequest {
    /// [`parse`] as a constructor.
    pub fn parse(body: &Value) -> Result<Self, ScimError> {
        parse(body)
    }

    /// [`apply`] this request to `resource`.
    pub fn apply(&self, resource: &Value, schema: &Schema) -> Result<Value, ScimError> {
        apply(resource, self, schema)
    }
}
