//! Reading a PATCH body (RFC 7644 §3.5.2) — and the one place where the
//! identity providers' PATCH shapes are accepted (style §4). Each quirk
//! names its source; the apply engine sees RFC-shaped operations, plus the
//! two decisions below that need the schema, which it asks this module for.
//!
//! Accepted beyond RFC 7644:
//! - `"op": "Replace"`, `"Add"`, `"Remove"` (Entra ID, Microsoft Learn
//!   "Develop and plan provisioning for a SCIM endpoint", Update User):
//!   operation names and the body's member names compare case-insensitively.
//! - a path-less `add`/`replace` whose value names attributes by plain
//!   (`active`: Okta, "Update a specific User (PATCH)"), dotted
//!   (`name.givenName`) or URN-qualified
//!   (`urn:…:enterprise:2.0:User:employeeNumber`) keys (Entra ID with the
//!   `aadOptscim062020` flag, Microsoft Learn "Known issues … SCIM 2.0
//!   protocol compliance"): spelled out as one operation per key.
//! - `remove` with path `members` and `"value": [{"value": id}]` (Entra ID,
//!   same page, without the flag; also "Update Group [Remove Members]"):
//!   RFC 7644 §3.5.2.2 defines no value for remove, so a plain reading would
//!   remove every member; it is read as `members[value eq "id"]` per value.
//! - [`element_for_unmatched_filter`] and [`unqualified_extension_attribute`].

use serde_json::{Map, Value};

use super::{MAX_OPERATIONS, OpKind, PATCH_OP_SCHEMA, PatchOp, PatchRequest};
use crate::error::ScimError;
use crate::filter::{CompValue, CompareOp, Filter};
use crate::path::{AttrPath, PatchPath, ValuePath, excerpt};
use crate::schema::{Attribute, Schema, SchemaDefinition};
use crate::target::get_ci;

/// Parses a PATCH request body.
///
/// Errors: not an object, `schemas` without the PatchOp URN, `Operations`
/// missing, not an array or empty, an operation that is not an object or
/// has an unknown `op` → `invalidSyntax`; a malformed `path` → `invalidPath`;
/// `remove` without `path` → `noTarget` (RFC 7644 §3.5.2.2); `add`/`replace`
/// without `value` → `invalidValue` ("A required value was missing", RFC
/// 7644 §3.12); more than [`MAX_OPERATIONS`] → `tooMany`.
pub fn parse(body: &Value) -> Result<PatchRequest, ScimError> {
    let members = body.as_object().ok_or_else(|| {
        ScimError::invalid_syntax("a PATCH body must be a JSON object (RFC 7644 §3.5.2)")
    })?;
    check_schemas(members)?;
    let operations = match get_ci(members, "Operations") {
        Some(Value::Array(operations)) if !operations.is_empty() => operations,
        _ => {
            return Err(ScimError::invalid_syntax(
                "a PATCH body must have \"Operations\", an array of one or more operations \
                 (RFC 7644 §3.5.2)",
            ));
        }
    };
    check_count(operations.len())?;
    let mut ops = Vec::with_capacity(operations.len());
    for (index, operation) in operations.iter().enumerate() {
        push_operation(&mut ops, index, operation)?;
        check_count(ops.len())?;
    }
    Ok(PatchRequest { ops })
}

/// RFC 7644 §3.5.2: "The body of each request MUST contain the "schemas"
/// attribute with the URI value of urn:ietf:params:scim:api:messages:2.0:PatchOp."
fn check_schemas(members: &Map<String, Value>) -> Result<(), ScimError> {
    let listed = get_ci(members, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|urns| {
            urns.iter()
                .filter_map(Value::as_str)
                .any(|urn| urn.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
        });
    if listed {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "a PATCH body's \"schemas\" must list \"{PATCH_OP_SCHEMA}\" (RFC 7644 §3.5.2)"
        )))
    }
}

fn check_count(count: usize) -> Result<(), ScimError> {
    if count > MAX_OPERATIONS {
        return Err(ScimError::too_many(format!(
            "a PATCH request may carry at most {MAX_OPERATIONS} operations"
        )));
    }
    Ok(())
}

fn push_operation(
    ops: &mut Vec<PatchOp>,
    index: usize,
    operation: &Value,
) -> Result<(), ScimError> {
    let at = |detail: String| format!("Operations[{index}]: {detail}");
    let members = operation.as_object().ok_or_else(|| {
        ScimError::invalid_syntax(at("an operation must be a JSON object".to_owned()))
    })?;
    let op = op_kind(get_ci(members, "op")).map_err(|e| relabel(e, &at))?;
    let path = match get_ci(members, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(PatchPath::parse(path).map_err(|e| relabel(e, &at))?),
        Some(_) => {
            return Err(ScimError::invalid_path(at(
                "\"path\" must be a string (RFC 7644 §3.5.2)".to_owned(),
            )));
        }
    };
    let value = get_ci(members, "value");
    match (op, path) {
        (OpKind::Remove, None) => Err(ScimError::no_target(at(
            "a remove operation needs a \"path\" (RFC 7644 §3.5.2.2)".to_owned(),
        ))),
        (OpKind::Remove, Some(path)) => {
            ops.extend(remove_operations(path, value).map_err(|e| relabel(e, &at))?);
            Ok(())
        }
        (_, path) => {
            let value = value.ok_or_else(|| {
                ScimError::invalid_value(at(format!(
                    "{op} needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)"
                )))
            })?;
            match path {
                Some(path) => ops.push(PatchOp {
                    op,
                    path: Some(path),
                    value: Some(value.clone()),
                }),
                None => ops.extend(expand_pathless(op, value).map_err(|e| relabel(e, &at))?),
            }
            Ok(())
        }
    }
}

fn relabel(error: ScimError, at: &impl Fn(String) -> String) -> ScimError {
    ScimError {
        detail: at(error.detail),
        ..error
    }
}

/// `"op"`, case-insensitively: Entra ID sends `"Replace"` and `"Add"`.
fn op_kind(op: Option<&Value>) -> Result<OpKind, ScimError> {
    let keyword = op.and_then(Value::as_str).unwrap_or_default();
    [OpKind::Add, OpKind::Remove, OpKind::Replace]
        .into_iter()
        .find(|kind| kind.as_str().eq_ignore_ascii_case(keyword))
        .ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "\"op\" must be \"add\", \"remove\" or \"replace\" (RFC 7644 §3.5.2), not \"{}\"",
                excerpt(keyword)
            ))
        })
}

/// A remove, or Entra ID's remove-by-value spelled as value filters: an
/// array of `{"value": id}` (or one such object) on a plain path.
fn remove_operations(path: PatchPath, value: Option<&Value>) -> Result<Vec<PatchOp>, ScimError> {
    let remove = |path| PatchOp {
        op: OpKind::Remove,
        path: Some(path),
        value: None,
    };
    let items: Vec<&Value> = match value {
        // A value filter already says which values go, and a scalar cannot
        // say it: the value is redundant, or noise.
        None | Some(Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)) => {
            return Ok(vec![remove(path)]);
        }
        Some(_) if matches!(path, PatchPath::Value { .. }) => return Ok(vec![remove(path)]),
        Some(Value::Array(items)) if !items.is_empty() => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        // An empty array or unreadable structure: removing the whole
        // attribute instead of the values meant would lose data.
        Some(_) => return Err(remove_value_error()),
    };
    let PatchPath::Attr(AttrPath {
        urn,
        attr,
        sub_attr: None,
    }) = path
    else {
        return Err(remove_value_error());
    };
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        let id = item
            .as_object()
            .and_then(|o| get_ci(o, "value"))
            .and_then(Value::as_str)
            .ok_or_else(remove_value_error)?;
        ops.push(remove(value_equals(urn.clone(), attr.clone(), id)));
        check_count(ops.len())?;
    }
    Ok(ops)
}

/// `attr[value eq "id"]`.
fn value_equals(urn: Option<String>, attr: String, id: &str) -> PatchPath {
    let filter = Filter::Compare {
        path: AttrPath::new("value"),
        op: CompareOp::Eq,
        value: CompValue::String(id.to_owned()),
    };
    PatchPath::Value {
        path: ValuePath {
            urn,
            attr,
            filter: Box::new(filter),
        },
        sub_attr: None,
    }
}

fn remove_value_error() -> ScimError {
    ScimError::invalid_value(
        "a remove operation takes no \"value\" (RFC 7644 §3.5.2.2); the only one read \
         is a list of {\"value\": id} naming the values to remove",
    )
}

/// A path-less `add`/`replace`: "the target location is assumed to be the
/// resource itself" and the value holds "a set of attributes" (RFC 7644
/// §3.5.2.1, §3.5.2.3). Each member becomes one operation with that path,
/// keeping the order of the operations' effects per attribute. A key that is
/// not an attribute path is an unknown attribute: skipped.
pub(crate) fn expand_pathless(op: OpKind, value: &Value) -> Result<Vec<PatchOp>, ScimError> {
    let members = value.as_object().ok_or_else(|| {
        ScimError::invalid_value(format!(
            "{op} without \"path\" needs an object value naming the attributes \
             to set (RFC 7644 §3.5.2.1, §3.5.2.3)"
        ))
    })?;
    let mut ops = Vec::with_capacity(members.len());
    for (key, value) in members {
        if let Ok(path) = AttrPath::parse(key) {
            ops.push(PatchOp {
                op,
                path: Some(PatchPath::Attr(path)),
                value: Some(value.clone()),
            });
            check_count(ops.len())?;
        }
    }
    Ok(ops)
}

/// The element to create when an `add`/`replace` with a value filter matched
/// nothing, or `None` (then RFC 7644 §3.5.2.3's `noTarget`).
///
/// Entra ID updates a work email with `replace`/`add` of
/// `emails[type eq "work"].value` even when the user has none (Microsoft
/// Learn "Develop and plan provisioning for a SCIM endpoint", Update User;
/// Microsoft's SCIM validator expects the email to exist afterwards,
/// SCIM-SDK issue #416). For the simplest filter, `type eq "<string>"`,
/// the element `{"type": "<string>"}` is created and then written.
pub(crate) fn element_for_unmatched_filter(
    filter: &Filter,
    attr: &'static Attribute,
) -> Option<Map<String, Value>> {
    let Filter::Compare {
        path,
        op: CompareOp::Eq,
        value: CompValue::String(label),
    } = filter
    else {
        return None;
    };
    let type_attr = attr.sub_attribute("type")?;
    let simple = attr.multi_valued
        && path.urn.is_none()
        && path.sub_attr.is_none()
        && path.attr.eq_ignore_ascii_case(type_attr.name);
    simple.then(|| Map::from_iter([(type_attr.name.to_owned(), Value::from(label.as_str()))]))
}

/// The extension attribute an unqualified PATCH path names when the core
/// schema has no such attribute and exactly one extension does.
///
/// Entra ID removes a manager with `manager[value eq "id"]`, without the
/// enterprise URN (thomaspoignant/scim-patch issue #453), where RFC 7644
/// §3.10 reads an unqualified name as a core attribute. Applied to PATCH
/// paths only; body keys keep the RFC's reading.
pub(crate) fn unqualified_extension_attribute(
    schema: &Schema,
    attr: &str,
) -> Option<(&'static SchemaDefinition, &'static Attribute)> {
    let mut found = schema
        .extensions
        .iter()
        .filter_map(|&extension| Some((extension, extension.attribute(attr)?)));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests;
