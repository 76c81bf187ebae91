//! Applying PATCH operations (RFC 7644 §3.5.2.1–§3.5.2.3).
//!
//! Every operation works on one copy of the resource; the first error
//! discards the copy, so a request applies entirely or not at all (RFC 7644
//! §3.5.2: "A PATCH request, regardless of the number of operations, SHALL
//! be treated as atomic").
//! Each operation changes one attribute: it computes the attribute's new
//! value from the current one, and the attribute's mutability (RFC 7643
//! §2.2) decides whether that difference is allowed. So writing a readOnly
//! attribute's current value (`id`, `meta`) is silently nothing, and
//! changing it is `mutability`.
//!
//! Choices the RFC leaves open:
//! - Attributes the schema does not define are ignored, whatever the
//!   operation: identity providers send their custom mappings (see
//!   [`crate::resource`]). A filtered path on an unknown attribute too.
//! - `null` as the value of `add`/`replace` is "unassigned" (RFC 7643 §2.5):
//!   the attribute (or the selected values) is removed.
//! - `remove` whose value filter matches nothing is a no-op, not `noTarget`:
//!   §3.5.2.2 defines no failure for it, and an identity provider retrying
//!   a removal must not fail forever. `replace`/`add` with a filter that
//!   matches nothing is `noTarget` (§3.5.2.3), except the Entra ID case of
//!   [`super::parse::element_for_unmatched_filter`] (see `filtered.rs`).
//! - Adding a value equal to one present adds nothing (§3.5.2.1: "If the
//!   target location already contains the value specified, no changes
//!   SHOULD be made"); values compare as JSON.

use serde_json::{Map, Value};

mod filtered;

use super::parse::expand_pathless;
use super::select::{Selection, select};
use super::{OpKind, PatchOp, PatchRequest};
use crate::error::ScimError;
use crate::path::AttrPath;
use crate::resource::{self, Shape, coerce, coerce_simple, yield_primary};
use crate::schema::{Attribute, Mutability, Schema};
use crate::target::{self, Container, Located, Named};
use filtered::{remove_filtered, write_filtered};

/// Applies `request` to `resource` (a stored resource of `schema`'s type,
/// as JSON) and returns the patched resource; `resource` is not changed.
///
/// Besides the operations' errors (`invalidValue` for a value of the wrong
/// type, `mutability`, `noTarget`, `invalidPath`), the patched resource must
/// keep its required attributes (`invalidValue`), and it leaves with at most
/// one `primary: true` per multi-valued attribute and `schemas` listing
/// exactly the schemas it has attributes of. A `resource` that is not a JSON
/// object is the server's own fault: 500.
pub fn apply(
    resource: &Value,
    request: &PatchRequest,
    schema: &Schema,
) -> Result<Value, ScimError> {
    let before = resource.as_object().ok_or_else(ScimError::internal)?;
    let mut root = before.clone();
    for op in &request.ops {
        apply_op(&mut root, op, schema)?;
    }
    resource::check_required(&mut root, Some(before), schema)?;
    resource::finish(&mut root, schema);
    Ok(Value::Object(root))
}

fn apply_op(root: &mut Map<String, Value>, op: &PatchOp, schema: &Schema) -> Result<(), ScimError> {
    let Some(path) = &op.path else {
        if op.op == OpKind::Remove {
            return Err(ScimError::no_target(
                "a remove operation needs a \"path\" (RFC 7644 §3.5.2.2)",
            ));
        }
        for expanded in expand_pathless(op.op, required_value(op)?)? {
            apply_op(root, &expanded, schema)?;
        }
        return Ok(());
    };
    let selection = select(path, schema)?;
    match op.op {
        OpKind::Remove => remove(root, &selection),
        kind => write(root, kind, &selection, required_value(op)?, schema),
    }
}

fn required_value(op: &PatchOp) -> Result<&Value, ScimError> {
    op.value.as_ref().ok_or_else(|| {
        ScimError::invalid_value(format!(
            "{} needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)",
            op.op
        ))
    })
}

/// Sets one attribute to what `change` makes of its current value, if that
/// differs and the attribute's mutability allows it (RFC 7643 §2.2).
pub(super) fn update(
    root: &mut Map<String, Value>,
    located: Located,
    label: &str,
    change: impl FnOnce(Option<&Value>) -> Result<Option<Value>, ScimError>,
) -> Result<(), ScimError> {
    let container =
        target::container_mut(root, located.container).ok_or_else(ScimError::internal)?;
    let name = located.attr.name;
    let current = target::get_ci(container, name).filter(|v| !v.is_null());
    let after = change(current)?;
    if after.as_ref() == current {
        return Ok(());
    }
    match located.mutability() {
        Mutability::ReadOnly => Err(ScimError::mutability(format!(
            "{label} is readOnly: only the server sets it (RFC 7643 §2.2)"
        ))),
        Mutability::Immutable if current.is_some() => Err(ScimError::mutability(format!(
            "{label} is immutable: it may be set only while unassigned (RFC 7643 §2.2)"
        ))),
        Mutability::Immutable | Mutability::ReadWrite | Mutability::WriteOnly => {
            match after {
                Some(value) => target::set_ci(container, name, value),
                None => {
                    target::remove_ci(container, name);
                }
            }
            Ok(())
        }
    }
}

fn write(
    root: &mut Map<String, Value>,
    kind: OpKind,
    selection: &Selection<'_>,
    value: &Value,
    schema: &Schema,
) -> Result<(), ScimError> {
    match selection {
        Selection::Named(Named::Unknown) => Ok(()),
        Selection::Named(Named::Schema(container)) => {
            write_schema(root, kind, *container, value, schema)
        }
        Selection::Named(Named::Attribute(located)) => write_attr(root, kind, *located, value),
        Selection::Filtered(filtered) => write_filtered(root, kind, filtered, value),
    }
}

/// A path that is a schema URN, with an object of that schema's attributes
/// (RFC 7643 §3.3 shape), e.g. `{"department": "Sales"}` for the enterprise
/// extension; `null` removes an extension.
fn write_schema(
    root: &mut Map<String, Value>,
    kind: OpKind,
    container: Container,
    value: &Value,
    schema: &Schema,
) -> Result<(), ScimError> {
    let Some(members) = value.as_object() else {
        return match (value, container) {
            (Value::Null, Container::Extension(extension)) => {
                target::remove_ci(root, extension.id);
                Ok(())
            }
            _ => Err(ScimError::invalid_value(
                "a schema URN path takes an object of that schema's attributes (RFC 7643 §3.3)",
            )),
        };
    };
    for (key, value) in members {
        let named = match AttrPath::parse(key) {
            Ok(path) if path.urn.is_none() => {
                target::locate_in(container, &path.attr, path.sub_attr.as_deref(), schema)
            }
            _ => Named::Unknown,
        };
        if let Named::Attribute(located) = named {
            write_attr(root, kind, located, value)?;
        }
    }
    Ok(())
}

/// `attr` or `attr.sub` (RFC 7644 §3.5.2.1, §3.5.2.3).
fn write_attr(
    root: &mut Map<String, Value>,
    kind: OpKind,
    located: Located,
    value: &Value,
) -> Result<(), ScimError> {
    if value.is_null() {
        return remove_attr(root, located);
    }
    let label = located.label();
    match located.sub {
        None => {
            let new = coerce(located.attr, value, &label, Shape::Lenient)?;
            update(root, located, &label, |current| {
                Ok(whole_after(kind, located.attr, current, new))
            })
        }
        Some(sub) => {
            let new = coerce_simple(sub, value, &label)?;
            update(root, located, &label, |current| {
                Ok(Some(sub_after(located.attr, sub, current, new)))
            })
        }
    }
}

/// The attribute after writing `new` to all of it:
/// - multi-valued: `add` appends what is not there yet, `replace` replaces
///   all values; new values claiming `primary` take it from the others;
/// - single-valued complex: both merge the given sub-attributes, leaving
///   the others unchanged (§3.5.2.1; §3.5.2.3 "Sub-attributes that are not
///   specified in the value parameter are left unchanged");
/// - simple: the new value.
fn whole_after(
    kind: OpKind,
    attr: &'static Attribute,
    current: Option<&Value>,
    new: Value,
) -> Option<Value> {
    match new {
        Value::Array(new) if attr.multi_valued => {
            let mut items = match (kind, current) {
                (OpKind::Add, Some(Value::Array(items))) => items.clone(),
                _ => Vec::new(),
            };
            let old = items.len();
            for item in new {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            let chosen: Vec<bool> = (0..items.len()).map(|i| i >= old).collect();
            yield_primary(&mut items, &chosen);
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(new) if attr.is_complex() => {
            let mut merged = match current {
                Some(Value::Object(current)) => current.clone(),
                _ => Map::new(),
            };
            for (name, value) in new {
                target::set_ci(&mut merged, &name, value);
            }
            (!merged.is_empty()).then_some(Value::Object(merged))
        }
        new => Some(new),
    }
}

/// The attribute after setting `sub` to `new`: in the object, or in every
/// value of a multi-valued attribute (a value is created when there is none).
fn sub_after(
    attr: &'static Attribute,
    sub: &'static Attribute,
    current: Option<&Value>,
    new: Value,
) -> Value {
    let with_sub = |item: &Value| {
        let mut object = item.as_object().cloned().unwrap_or_default();
        target::set_ci(&mut object, sub.name, new.clone());
        Value::Object(object)
    };
    match current {
        Some(Value::Array(items)) if attr.multi_valued && !items.is_empty() => {
            Value::Array(items.iter().map(with_sub).collect())
        }
        _ if attr.multi_valued => Value::Array(vec![with_sub(&Value::Null)]),
        Some(current) => with_sub(current),
        None => with_sub(&Value::Null),
    }
}

fn remove(root: &mut Map<String, Value>, selection: &Selection<'_>) -> Result<(), ScimError> {
    match selection {
        Selection::Named(Named::Unknown) => Ok(()),
        Selection::Named(Named::Schema(Container::Core)) => Err(ScimError::invalid_path(
            "the core schema cannot be removed; name its attributes (RFC 7644 §3.5.2.2)",
        )),
        Selection::Named(Named::Schema(Container::Extension(extension))) => {
            target::remove_ci(root, extension.id);
            Ok(())
        }
        Selection::Named(Named::Attribute(located)) => remove_attr(root, *located),
        Selection::Filtered(filtered) => remove_filtered(root, filtered),
    }
}

/// RFC 7644 §3.5.2.2: the attribute, or its sub-attribute (in every value
/// of a multi-valued one), becomes unassigned.
fn remove_attr(root: &mut Map<String, Value>, located: Located) -> Result<(), ScimError> {
    let label = located.label();
    update(root, located, &label, |current| {
        Ok(match (located.sub, current) {
            (Some(sub), Some(value)) => without_sub(value, sub.name),
            (None, _) | (_, None) => None,
        })
    })
}

/// `value` without the sub-attribute `name`; values left empty go, and so
/// does the attribute when nothing is left (RFC 7644 §3.5.2.2).
pub(super) fn without_sub(value: &Value, name: &str) -> Option<Value> {
    let strip = |object: &Map<String, Value>| {
        let mut object = object.clone();
        target::remove_ci(&mut object, name);
        (!object.is_empty()).then_some(Value::Object(object))
    };
    match value {
        Value::Object(object) => strip(object),
        Value::Array(items) => {
            let kept: Vec<Value> = items
                .iter()
                .filter_map(|item| match item {
                    Value::Object(object) => strip(object),
                    other => Some(other.clone()),
                })
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => Some(other.clone()),
    }
}

#[cfg(test)]
mod tests;
