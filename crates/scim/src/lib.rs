//! SCIM 2.0 protocol rules (RFC 7643, RFC 7644), with no I/O: errors,
//! schemas, attribute paths, filters, PATCH, body normalization, attribute
//! projection and list responses. The HTTP layer serializes what this crate
//! decides; the store pushes down what it can and asks this crate's
//! evaluator about the rest.

// Client input must never crash the server (style §4, as kanidm `lib.rs`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod datetime;
pub mod error;
pub mod filter;
pub mod list;
pub mod patch;
pub mod path;
pub mod resource;
pub mod schema;
mod target;

pub use datetime::Timestamp;
pub use error::{ERROR_SCHEMA, ScimError, ScimType};
pub use filter::{CompValue, CompareOp, Filter, fold_case, matches, validate};
pub use list::{LIST_RESPONSE_SCHEMA, ListResponse, list_response};
pub use patch::{
    MAX_OPERATIONS, OpKind, PATCH_OP_SCHEMA, PatchOp, PatchRequest, apply as apply_patch,
    parse as parse_patch,
};
pub use path::{AttrPath, PatchPath, ValuePath};
pub use resource::{
    MAX_ATTRIBUTE_PATHS, coerce_bool, normalize, parse_attribute_list, project, project_owned,
};
pub use schema::{
    Attribute, AttributeType, ENTERPRISE_USER_URN, GROUP, GROUP_URN, Mutability, Returned, Schema,
    SchemaDefinition, USER, USER_URN, Uniqueness,
};
