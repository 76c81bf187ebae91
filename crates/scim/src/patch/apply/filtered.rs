//! Operations on the values a value filter selects (RFC 7644 §3.5.2):
//! `attr[filter]` and `attr[filter].sub`.

use serde_json::{Map, Value};

use super::{update, without_sub};
use crate::error::ScimError;
use crate::filter::matches_element;
use crate::patch::OpKind;
use crate::patch::parse::element_for_unmatched_filter;
use crate::patch::select::Filtered;
use crate::resource::{coerce_one, coerce_simple, yield_primary};
use crate::schema::Attribute;
use crate::target;

/// `attr[filter]` or `attr[filter].sub` with a value (RFC 7644 §3.5.2.3):
/// every matching value is replaced (`add`: merged), or its sub-attribute
/// set. No match is `noTarget`, but for the Entra ID case of
/// [`element_for_unmatched_filter`], which creates the value.
pub(super) fn write_filtered(
    root: &mut Map<String, Value>,
    kind: OpKind,
    filtered: &Filtered<'_>,
    value: &Value,
) -> Result<(), ScimError> {
    if value.is_null() {
        return remove_filtered(root, filtered);
    }
    let label = &filtered.label;
    let new = match filtered.sub {
        Some(sub) => coerce_simple(sub, value, label)?,
        None => coerce_one(filtered.attr, value, label)?,
    };
    update(root, filtered.located(), label, |current| {
        let mut items = elements(filtered.attr, current);
        let mut hits = hits(filtered, &items);
        let mut kind = kind;
        if !hits.contains(&true) {
            let seed =
                element_for_unmatched_filter(filtered.filter, filtered.attr).ok_or_else(|| {
                    ScimError::no_target(format!(
                        "\"{label}\" matches no value (RFC 7644 §3.5.2.3)"
                    ))
                })?;
            items.push(Value::Object(seed));
            hits.push(true);
            // The created value keeps the filter's `type`: merge into it.
            kind = OpKind::Add;
        }
        for (item, _) in items.iter_mut().zip(&hits).filter(|(_, hit)| **hit) {
            write_element(kind, item, filtered.sub, &new);
        }
        yield_primary(&mut items, &hits);
        Ok(pack(filtered.attr, items))
    })
}

fn write_element(kind: OpKind, item: &mut Value, sub: Option<&'static Attribute>, new: &Value) {
    let mut object = match (kind, sub) {
        (OpKind::Replace, None) => {
            *item = new.clone();
            return;
        }
        _ => item.as_object().cloned().unwrap_or_default(),
    };
    match (sub, new) {
        (Some(sub), new) => target::set_ci(&mut object, sub.name, new.clone()),
        (None, Value::Object(members)) => {
            for (name, value) in members {
                target::set_ci(&mut object, name, value.clone());
            }
        }
        (None, _) => {}
    }
    *item = Value::Object(object);
}

/// `attr[filter]` or `attr[filter].sub` without a value (RFC 7644
/// §3.5.2.2): matching values, or their sub-attribute, are removed.
pub(super) fn remove_filtered(
    root: &mut Map<String, Value>,
    filtered: &Filtered<'_>,
) -> Result<(), ScimError> {
    update(root, filtered.located(), &filtered.label, |current| {
        let items = elements(filtered.attr, current);
        let hits = hits(filtered, &items);
        let kept = items
            .into_iter()
            .zip(hits)
            .filter_map(|(item, hit)| match (hit, filtered.sub) {
                (false, _) => Some(item),
                (true, None) => None,
                (true, Some(sub)) => without_sub(&item, sub.name),
            })
            .collect();
        Ok(pack(filtered.attr, kept))
    })
}

/// The values a filter is tried on: a multi-valued attribute's, or the one
/// value of a single-valued complex attribute (Entra ID filters `manager`).
fn elements(attr: &Attribute, current: Option<&Value>) -> Vec<Value> {
    match current {
        Some(Value::Array(items)) if attr.multi_valued => items.clone(),
        Some(value) => vec![value.clone()],
        None => Vec::new(),
    }
}

fn hits(filtered: &Filtered<'_>, items: &[Value]) -> Vec<bool> {
    items
        .iter()
        .map(|item| matches_element(filtered.filter, item, Some(filtered.attr)))
        .collect()
}

/// The attribute holding `items`; `None` when none are left.
fn pack(attr: &Attribute, items: Vec<Value>) -> Option<Value> {
    if attr.multi_valued {
        return (!items.is_empty()).then_some(Value::Array(items));
    }
    items
        .into_iter()
        .next()
        .filter(|v| v.as_object().is_none_or(|o| !o.is_empty()))
}
