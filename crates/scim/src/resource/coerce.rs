//! Attribute values checked against their definitions (RFC 7643 §2.3), with
//! the two coercions the identity providers need. Both PATCH and POST/PUT
//! bodies go through here, so a value is valid or not whatever the verb.

use serde_json::{Map, Value};

use crate::datetime::Timestamp;
use crate::error::ScimError;
use crate::schema::{Attribute, AttributeType, Mutability};

/// How strictly a multi-valued attribute's value must be an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// POST and PUT bodies: a multi-valued attribute is a JSON array (RFC 7643 §2.4).
    Strict,
    /// PATCH values: RFC 7644 §3.5.2.1 speaks of adding "a new value" to a
    /// multi-valued attribute, so one value stands for an array of one.
    Lenient,
}

/// A boolean, or one of the strings `"true"`/`"false"` in any case.
///
/// Entra ID sends `"value": "False"` to disable a user (Microsoft Learn,
/// "Known issues and resolutions with SCIM 2.0 protocol compliance", the
/// behaviour without the `aadOptscim062020` flag), and `"True"`/`"False"`
/// in other boolean attributes; RFC 7643 §2.3.2 allows only JSON booleans.
pub fn coerce_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// `value` as the whole value of `attr`: an array for a multi-valued
/// attribute (nulls inside dropped), else one value. `null` stays `null`:
/// the caller decides what "unassigned" means there (RFC 7643 §2.5).
pub(crate) fn coerce(
    attr: &'static Attribute,
    value: &Value,
    label: &str,
    shape: Shape,
) -> Result<Value, ScimError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    if !attr.multi_valued {
        return coerce_one(attr, value, label);
    }
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        one if shape == Shape::Lenient => vec![one],
        _ => {
            return Err(ScimError::invalid_value(format!(
                "{label} is multi-valued: its value must be an array (RFC 7643 §2.4)"
            )));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.into_iter().filter(|v| !v.is_null()) {
        out.push(coerce_one(attr, item, label)?);
    }
    Ok(Value::Array(out))
}

/// One value of `attr`; for a multi-valued attribute, one element.
pub(crate) fn coerce_one(
    attr: &'static Attribute,
    value: &Value,
    label: &str,
) -> Result<Value, ScimError> {
    if attr.is_complex() {
        coerce_complex(attr, value, label)
    } else {
        coerce_simple(attr, value, label)
    }
}

/// A complex value: an object whose members are sub-attributes (RFC 7643
/// §2.3.8), spelled as the schema does. Unknown sub-attributes are dropped,
/// like unknown attributes; so are readOnly sub-attributes of a writable
/// attribute (`manager.displayName`), which are the server's to fill in
/// (RFC 7644 §3.3: readOnly values from the client "SHALL be ignored").
fn coerce_complex(
    attr: &'static Attribute,
    value: &Value,
    label: &str,
) -> Result<Value, ScimError> {
    let members = match value {
        Value::Object(members) => members,
        Value::String(_) if !attr.multi_valued => return bare_value(attr, value, label),
        other => return Err(mismatch(attr, label, other)),
    };
    let mut out = Map::new();
    for (name, sub_value) in members {
        let Some(sub) = attr.sub_attribute(name) else {
            continue;
        };
        let server_owned =
            sub.mutability == Mutability::ReadOnly && attr.mutability != Mutability::ReadOnly;
        if sub_value.is_null() || server_owned {
            continue;
        }
        let sub_label = format!("{label}.{}", sub.name);
        out.insert(
            sub.name.to_owned(),
            coerce_simple(sub, sub_value, &sub_label)?,
        );
    }
    Ok(Value::Object(out))
}

/// Entra ID sends the enterprise `manager` as the manager's id, a bare
/// string (`"value": "2c2f6fb8-…"` in a PATCH, `"manager": "id"` in a
/// body; SCIM-SDK issue #686, apache/directory-scimple #1242), where RFC
/// 7643 §4.3 defines an object `{"value": id}`. A single-valued complex
/// attribute with a `value` sub-attribute takes a bare string as that.
fn bare_value(attr: &'static Attribute, value: &Value, label: &str) -> Result<Value, ScimError> {
    let Some(sub) = attr.value_sub_attribute() else {
        return Err(mismatch(attr, label, value));
    };
    let mut out = Map::new();
    out.insert(sub.name.to_owned(), coerce_simple(sub, value, label)?);
    Ok(Value::Object(out))
}

/// A value of a simple type (RFC 7643 §2.3.1–§2.3.7).
pub(crate) fn coerce_simple(
    attr: &'static Attribute,
    value: &Value,
    label: &str,
) -> Result<Value, ScimError> {
    let ok = match attr.data_type {
        AttributeType::Boolean => {
            return coerce_bool(value)
                .map(Value::Bool)
                .ok_or_else(|| mismatch(attr, label, value));
        }
        AttributeType::Complex => return coerce_complex(attr, value, label),
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            value.is_string()
        }
        AttributeType::DateTime => value
            .as_str()
            .is_some_and(|s| Timestamp::parse(s).is_some()),
        AttributeType::Integer => value.is_i64() || value.is_u64(),
        AttributeType::Decimal => value.is_number(),
    };
    if ok {
        Ok(value.clone())
    } else {
        Err(mismatch(attr, label, value))
    }
}

/// `invalidValue` naming the attribute, its type and the JSON type sent,
/// never the value itself (it may be long, or a password).
fn mismatch(attr: &Attribute, label: &str, value: &Value) -> ScimError {
    let sent = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let expected = match attr.data_type {
        AttributeType::Complex => "an object",
        AttributeType::DateTime => "a dateTime string (RFC 7643 §2.3.5)",
        AttributeType::Boolean => "a boolean",
        AttributeType::Integer => "an integer",
        AttributeType::Decimal => "a number",
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => "a string",
    };
    ScimError::invalid_value(format!(
        "{label} is of type {} and takes {expected}, not {sent} (RFC 7643 §2.3)",
        attr.data_type.as_str()
    ))
}

/// RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more
/// than once." When `chosen` values (just written) claim primary, the
/// others give it up.
pub(crate) fn yield_primary(items: &mut [Value], chosen: &[bool]) {
    let claimed = items
        .iter()
        .zip(chosen)
        .any(|(item, &chosen)| chosen && is_primary(item));
    if !claimed {
        return;
    }
    for (item, &chosen) in items.iter_mut().zip(chosen) {
        if !chosen && is_primary(item) {
            set_primary_false(item);
        }
    }
}

/// Keeps the first `primary: true` of a multi-valued attribute (RFC 7643 §2.4).
pub(crate) fn keep_first_primary(items: &mut [Value]) {
    let mut seen = false;
    for item in items.iter_mut() {
        if is_primary(item) {
            if seen {
                set_primary_false(item);
            }
            seen = true;
        }
    }
}

fn is_primary(item: &Value) -> bool {
    item.as_object()
        .and_then(|o| crate::target::get_ci(o, "primary"))
        .is_some_and(|p| p == &Value::Bool(true))
}

fn set_primary_false(item: &mut Value) {
    if let Some(object) = item.as_object_mut() {
        crate::target::set_ci(object, "primary", Value::Bool(false));
    }
}
