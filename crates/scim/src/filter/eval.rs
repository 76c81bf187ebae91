//! What a filter means: whether a JSON resource matches it (RFC 7644 §3.4.2.2).
//!
//! Rules, each from the RFC unless marked:
//! - attribute names match case-insensitively (§3.4.2.2, RFC 7643 §2.1);
//! - a multi-valued attribute matches if any of its values matches, for
//!   `ne` too: `emails.type ne "work"` matches work-and-home;
//! - strings compare per the schema's `caseExact`, unknown attributes as
//!   `caseExact: false`, the default (RFC 7643 §2.2);
//! - a complex attribute named without a sub-attribute compares its `value`
//!   sub-attribute (the §3.4.2.2 example `emails co "example.com"`);
//! - dateTime attributes order chronologically, numbers numerically,
//!   other strings lexicographically (by code point, after case folding
//!   unless `caseExact`);
//! - unassigned, `null` and `[]` are the same state (RFC 7643 §2.5): such an
//!   attribute has no value, so every comparison but `eq null` fails on it
//!   (`title ne "x"` does not match a user without a title, as SQL's `<>`
//!   does not match NULL);
//! - ours: a value of another JSON type than the comparison value is
//!   "not identical" (`ne` matches, everything else fails).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::{CompValue, CompareOp, Filter};
use crate::datetime::Timestamp;
use crate::path::{AttrPath, ValuePath};
use crate::schema::{Attribute, AttributeType, Schema};

/// Where a filter's paths are resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'s> {
    /// The resource: paths may carry a schema URN.
    Resource(&'s Schema),
    /// One value of the attribute before "[...]": paths name its
    /// sub-attributes (RFC 7644 §3.4.2.2 "FILTER uses sub-attributes of a
    /// parent attrPath"). The definition is `None` for an unknown attribute.
    Element(Option<&'static Attribute>),
}

/// Whether `resource` matches `filter`.
pub fn matches(filter: &Filter, resource: &Value, schema: &Schema) -> bool {
    eval(filter, resource, Scope::Resource(schema))
}

/// Whether one value of a complex attribute (`parent`) matches the filter of
/// a value path such as `emails[type eq "work"]`: the filter's paths name
/// sub-attributes (RFC 7644 §3.4.2.2). PATCH uses it to select values.
pub(crate) fn matches_element(
    filter: &Filter,
    element: &Value,
    parent: Option<&'static Attribute>,
) -> bool {
    eval(filter, element, Scope::Element(parent))
}

/// The case folding used for `caseExact: false` comparisons: Unicode lower
/// case. A store that pushes such comparisons down must fold the same way.
pub fn fold_case(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn eval(filter: &Filter, node: &Value, scope: Scope<'_>) -> bool {
    match filter {
        Filter::And(left, right) => eval(left, node, scope) && eval(right, node, scope),
        Filter::Or(left, right) => eval(left, node, scope) || eval(right, node, scope),
        Filter::Not(inner) => !eval(inner, node, scope),
        Filter::Present(path) => resolve(path, node, scope)
            .values
            .iter()
            .any(|v| is_present(v)),
        Filter::Compare { path, op, value } => compare_path(path, *op, value, node, scope),
        Filter::ValuePath(value_path) => eval_value_path(value_path, node, scope),
    }
}

/// The values a path reaches, flattened, without nulls, and the definition
/// of the (sub-)attribute they are values of.
struct Target<'v> {
    values: Vec<&'v Value>,
    definition: Option<&'static Attribute>,
}

fn resolve<'v>(path: &AttrPath, node: &'v Value, scope: Scope<'_>) -> Target<'v> {
    resolve_parts(
        path.urn.as_deref(),
        &path.attr,
        path.sub_attr.as_deref(),
        node,
        scope,
    )
}

fn resolve_parts<'v>(
    urn: Option<&str>,
    attr: &str,
    sub_attr: Option<&str>,
    node: &'v Value,
    scope: Scope<'_>,
) -> Target<'v> {
    let (container, top) = match scope {
        Scope::Resource(schema) => (container(urn, node, schema), schema.find(urn, attr, None)),
        Scope::Element(parent) => (
            urn.is_none().then_some(node),
            parent.and_then(|p| p.sub_attribute(attr)),
        ),
    };
    let top_values = container
        .map(|c| flatten(get_ci(c, attr)))
        .unwrap_or_default();
    match sub_attr {
        None => Target {
            values: top_values,
            definition: top,
        },
        Some(sub) => Target {
            values: top_values
                .into_iter()
                .flat_map(|v| flatten(get_ci(v, sub)))
                .collect(),
            definition: top.and_then(|t| t.sub_attribute(sub)),
        },
    }
}

/// The object holding a path's top-level attribute: the resource, or for an
/// extension URN the object under that URN (RFC 7643 §3.3). Unknown URNs are
/// looked up the same way, so unknown extensions still filter.
fn container<'v>(urn: Option<&str>, resource: &'v Value, schema: &Schema) -> Option<&'v Value> {
    match urn {
        None => Some(resource),
        Some(urn) if schema.core.is(urn) => Some(resource),
        Some(urn) => get_ci(resource, urn),
    }
}

/// A member of an object, by exact name first, then ignoring ASCII case.
fn get_ci<'v>(node: &'v Value, key: &str) -> Option<&'v Value> {
    let object = node.as_object()?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

fn flatten(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter(|v| !v.is_null()).collect(),
        Some(other) => vec![other],
    }
}

/// RFC 7644 §3.4.2.2 `pr`: "a non-empty value, or ... a non-empty node for
/// complex attributes".
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(members) => members.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn compare_path(
    path: &AttrPath,
    op: CompareOp,
    expected: &CompValue,
    node: &Value,
    scope: Scope<'_>,
) -> bool {
    let mut target = resolve(path, node, scope);
    if path.sub_attr.is_none() {
        target = implicit_value(target);
    }
    match (op, expected) {
        (CompareOp::Eq, CompValue::Null) => target.values.is_empty(),
        (CompareOp::Ne, CompValue::Null) => !target.values.is_empty(),
        _ => target
            .values
            .iter()
            .any(|actual| compare_value(op, actual, expected, target.definition)),
    }
}

/// A complex attribute compared without a sub-attribute stands for its
/// `value` sub-attribute (RFC 7643 §2.4).
fn implicit_value(target: Target<'_>) -> Target<'_> {
    let complex = target.definition.is_some_and(Attribute::is_complex);
    if !complex && !target.values.iter().any(|v| v.is_object()) {
        return target;
    }
    let values = target
        .values
        .into_iter()
        .flat_map(|v| {
            if v.is_object() {
                flatten(get_ci(v, "value"))
            } else {
                vec![v]
            }
        })
        .collect();
    let definition = match target.definition {
        Some(d) if d.is_complex() => d.value_sub_attribute(),
        other => other,
    };
    Target { values, definition }
}

fn compare_value(
    op: CompareOp,
    actual: &Value,
    expected: &CompValue,
    definition: Option<&Attribute>,
) -> bool {
    match (actual, expected) {
        (Value::String(a), CompValue::String(e)) => compare_strings(op, a, e, definition),
        (Value::Number(a), CompValue::Number(e)) => {
            compare_numbers(a, e).is_some_and(|ord| ordering_matches(op, ord))
        }
        // RFC 7644 §3.4.2.2: booleans are only equal or not.
        (Value::Bool(a), CompValue::Bool(e)) => match op {
            CompareOp::Eq => a == e,
            CompareOp::Ne => a != e,
            _ => false,
        },
        _ => op == CompareOp::Ne,
    }
}

fn compare_strings(
    op: CompareOp,
    actual: &str,
    expected: &str,
    definition: Option<&Attribute>,
) -> bool {
    let is_date_time = definition.is_some_and(|d| d.data_type == AttributeType::DateTime);
    if is_date_time
        && !op.is_substring()
        && let (Some(a), Some(e)) = (Timestamp::parse(actual), Timestamp::parse(expected))
    {
        return ordering_matches(op, a.cmp(&e));
    }
    let case_exact = definition.is_some_and(|d| d.case_exact);
    let (actual, expected) = if case_exact {
        (Cow::Borrowed(actual), Cow::Borrowed(expected))
    } else {
        (fold_case(actual), fold_case(expected))
    };
    match op {
        CompareOp::Co => actual.contains(expected.as_ref()),
        CompareOp::Sw => actual.starts_with(expected.as_ref()),
        CompareOp::Ew => actual.ends_with(expected.as_ref()),
        _ => ordering_matches(op, actual.cmp(&expected)),
    }
}

/// Integers compare exactly; anything else as f64 (JSON has one number type).
fn compare_numbers(actual: &Number, expected: &Number) -> Option<Ordering> {
    match (actual.as_i64(), expected.as_i64()) {
        (Some(a), Some(e)) => Some(a.cmp(&e)),
        _ => actual.as_f64()?.partial_cmp(&expected.as_f64()?),
    }
}

fn ordering_matches(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

/// Some value of the attribute matches the inner filter, all of whose
/// conditions apply to that one value (RFC 7644 §3.4.2.2 `valuePath`).
fn eval_value_path(value_path: &ValuePath, node: &Value, scope: Scope<'_>) -> bool {
    let target = resolve_parts(
        value_path.urn.as_deref(),
        &value_path.attr,
        None,
        node,
        scope,
    );
    let inner = Scope::Element(target.definition);
    target
        .values
        .iter()
        .any(|element| eval(&value_path.filter, element, inner))
}

/// The definition of what `path` names in `scope`.
pub(crate) fn definition(path: &AttrPath, scope: Scope<'_>) -> Option<&'static Attribute> {
    let sub = path.sub_attr.as_deref();
    match scope {
        Scope::Resource(schema) => schema.find(path.urn.as_deref(), &path.attr, sub),
        Scope::Element(parent) => {
            let top = parent?.sub_attribute(&path.attr)?;
            match sub {
                None => Some(top),
                Some(sub) => top.sub_attribute(sub),
            }
        }
    }
}

/// `filter` with every path spelled as the schema defines it.
pub(crate) fn normalize(filter: &Filter, scope: Scope<'_>) -> Filter {
    let pair =
        |l: &Filter, r: &Filter| (Box::new(normalize(l, scope)), Box::new(normalize(r, scope)));
    match filter {
        Filter::And(l, r) => {
            let (l, r) = pair(l, r);
            Filter::And(l, r)
        }
        Filter::Or(l, r) => {
            let (l, r) = pair(l, r);
            Filter::Or(l, r)
        }
        Filter::Not(inner) => Filter::Not(Box::new(normalize(inner, scope))),
        Filter::Present(path) => Filter::Present(normalize_path(path, scope)),
        Filter::Compare { path, op, value } => Filter::Compare {
            path: normalize_path(path, scope),
            op: *op,
            value: value.clone(),
        },
        Filter::ValuePath(value_path) => {
            let attr_path = normalize_path(&value_path.attr_path(), scope);
            let parent = definition(&attr_path, scope);
            Filter::ValuePath(ValuePath {
                urn: attr_path.urn,
                attr: attr_path.attr,
                filter: Box::new(normalize(&value_path.filter, Scope::Element(parent))),
            })
        }
    }
}

fn normalize_path(path: &AttrPath, scope: Scope<'_>) -> AttrPath {
    match scope {
        Scope::Resource(schema) => schema.normalize(path),
        Scope::Element(parent) => {
            let Some(top) = parent.and_then(|p| p.sub_attribute(&path.attr)) else {
                return path.clone();
            };
            let sub_attr = path.sub_attr.as_ref().map(|sub| {
                top.sub_attribute(sub)
                    .map_or_else(|| sub.clone(), |a| a.name.to_owned())
            });
            AttrPath {
                urn: path.urn.clone(),
                attr: top.name.to_owned(),
                sub_attr,
            }
        }
    }
}

#[cfg(test)]
mod tests;
