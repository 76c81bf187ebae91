//! Resource bodies: what a POST or PUT body becomes before it is stored
//! (RFC 7644 §3.3, §3.5.1), and what a response shows of a stored resource
//! (`attributes`/`excludedAttributes`, RFC 7644 §3.4.2.5, §3.9).
//!
//! The identity providers' quirks in bodies are accepted here and only here
//! (style §4), each naming its source:
//! - Entra ID's boolean strings (`"active": "False"`), see [`coerce_bool`];
//! - Entra ID's `manager` as a bare id string, normalized to `{"value": id}`;
//! - attributes the schema does not define are dropped, not refused: Okta
//!   and Entra ID both send custom-mapping attributes and foreign extension
//!   URNs (Entra's group body lists
//!   `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`),
//!   and refusing them would stop a whole provisioning run.

mod coerce;
mod project;

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::path::AttrPath;
use crate::schema::{AttributeType, Mutability, Schema, Uniqueness};
use crate::target::{self, Container, Located, Named};

/// Also here, beside [`project`], as responses use them together.
pub use crate::list::{LIST_RESPONSE_SCHEMA, ListResponse, list_response};
pub use coerce::coerce_bool;
pub(crate) use coerce::{Shape, coerce, coerce_one, coerce_simple, yield_primary};
pub use project::{MAX_ATTRIBUTE_PATHS, parse_attribute_list, project, project_owned};

/// A POST or PUT body of `schema`'s resource type, cleaned for storage.
///
/// - The body must be an object whose `schemas` lists the core schema URN
///   (RFC 7643 §3); Okta and Entra ID always send it, so its absence is a
///   client error (`invalidValue`, naming what is missing).
/// - Read-only attributes (`id`, `meta`, `groups`, `manager.displayName`)
///   are dropped: RFC 7644 §3.3 says they "SHALL be ignored". Entra ID
///   sends `"meta": {"resourceType": "User"}` and Okta `"groups": []` in
///   every create.
/// - Attribute names take the schema's spelling (`USERNAME` → `userName`),
///   extension attributes sit under their URN, unknown attributes are dropped.
/// - Values are type-checked (`invalidValue`), with the coercions of
///   [`coerce_bool`] and the bare-string `manager` (Entra ID).
/// - A multi-valued attribute must be an array (`invalidValue`); of its
///   values at most one keeps `primary: true`, the first (RFC 7643 §2.4).
/// - Required attributes must be present (`userName`, RFC 7643 §4.1.1:
///   "non-empty"); `userName` is trimmed, other strings are kept as sent.
/// - `password` (writeOnly) is kept, so the caller sees it was sent;
///   [`project`] never returns it.
///
/// The result has no `id` and no `meta`: those are the server's.
pub fn normalize(body: &Value, schema: &Schema) -> Result<Value, ScimError> {
    let members = body.as_object().ok_or_else(|| {
        ScimError::invalid_syntax("the body must be a JSON object (RFC 7644 §3.3)")
    })?;
    check_core_schema(members, schema)?;
    let mut out = Map::new();
    for (key, value) in members {
        if key.eq_ignore_ascii_case("schemas") || value.is_null() {
            continue;
        }
        match AttrPath::parse(key) {
            Ok(path) => write_named(&mut out, target::locate(&path, schema), value, schema)?,
            // Not even an attribute name: unknown, dropped like the rest.
            Err(_) => continue,
        }
    }
    check_required(&mut out, None, schema)?;
    finish(&mut out, schema);
    Ok(Value::Object(out))
}

/// RFC 7643 §3: "schemas" is REQUIRED and lists the core schema.
fn check_core_schema(members: &Map<String, Value>, schema: &Schema) -> Result<(), ScimError> {
    let listed = target::get_ci(members, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|urns| {
            urns.iter()
                .filter_map(Value::as_str)
                .any(|urn| schema.core.is(urn))
        });
    if listed {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "\"schemas\" must be an array listing \"{}\" (RFC 7643 §3)",
            schema.core.id
        )))
    }
}

fn write_named(
    out: &mut Map<String, Value>,
    named: Named,
    value: &Value,
    schema: &Schema,
) -> Result<(), ScimError> {
    match named {
        Named::Unknown => Ok(()),
        Named::Attribute(located) => write_located(out, located, value),
        Named::Schema(container) => {
            let members = value.as_object().ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "the schema extension {} must be an object (RFC 7643 §3.3)",
                    container_name(container, schema)
                ))
            })?;
            for (key, value) in members.iter().filter(|(_, v)| !v.is_null()) {
                let named = match AttrPath::parse(key) {
                    Ok(path) if path.urn.is_none() => {
                        target::locate_in(container, &path.attr, path.sub_attr.as_deref(), schema)
                    }
                    _ => Named::Unknown,
                };
                write_located_named(out, named, value)?;
            }
            Ok(())
        }
    }
}

fn write_located_named(
    out: &mut Map<String, Value>,
    named: Named,
    value: &Value,
) -> Result<(), ScimError> {
    match named {
        Named::Attribute(located) => write_located(out, located, value),
        Named::Schema(_) | Named::Unknown => Ok(()),
    }
}

fn container_name(container: Container, schema: &Schema) -> &'static str {
    match container {
        Container::Core => schema.core.id,
        Container::Extension(extension) => extension.id,
    }
}

/// One attribute of a body. A dotted key (`name.givenName`) sets one
/// sub-attribute of a single-valued complex attribute; on a multi-valued
/// one it could mean any element, so it is dropped.
fn write_located(
    out: &mut Map<String, Value>,
    located: Located,
    value: &Value,
) -> Result<(), ScimError> {
    if located.mutability() == Mutability::ReadOnly {
        return Ok(());
    }
    let label = located.label();
    let container =
        target::container_mut(out, located.container).ok_or_else(ScimError::internal)?;
    let name = located.attr.name;
    let (new, sub) = match located.sub {
        None => (coerce(located.attr, value, &label, Shape::Strict)?, None),
        Some(_) if located.attr.multi_valued => return Ok(()),
        Some(sub) => (coerce_simple(sub, value, &label)?, Some(sub.name)),
    };
    let merged = match (target::get_ci(container, name), sub, new) {
        (_, _, Value::Null) => return Ok(()),
        (_, _, Value::Array(items)) if items.is_empty() => return Ok(()),
        (Some(Value::Object(current)), Some(sub), new) => {
            let mut current = current.clone();
            current.insert(sub.to_owned(), new);
            Value::Object(current)
        }
        (_, Some(sub), new) => Value::Object(Map::from_iter([(sub.to_owned(), new)])),
        (Some(Value::Object(current)), None, Value::Object(new)) => {
            let mut current = current.clone();
            current.extend(new);
            Value::Object(current)
        }
        (_, None, new) => new,
    };
    target::set_ci(container, name, merged);
    Ok(())
}

/// Required attributes stay present, and identifiers stay non-empty.
///
/// For a body (`before` is `None`) every required attribute of the core
/// schema must be there (RFC 7643 §2.2 "required"; `userName`, §4.1.1). After
/// a PATCH, one that was there must still be: RFC 7644 §3.5.2 requires each
/// operation to be "compatible with the attribute's mutability and schema".
/// A writable, server-unique string (`userName`) is trimmed when it changed,
/// so `" bjensen"` and `"bjensen"` cannot be two users; empty, it is refused
/// (RFC 7643 §4.1.1: "Each User MUST include a non-empty userName value").
pub(crate) fn check_required(
    root: &mut Map<String, Value>,
    before: Option<&Map<String, Value>>,
    schema: &Schema,
) -> Result<(), ScimError> {
    for attr in schema.core.attributes {
        let was = before.map(|b| target::get_ci(b, attr.name).filter(|v| !v.is_null()));
        let now = target::get_ci(root, attr.name).filter(|v| !v.is_null());
        if attr.required && now.is_none() && was.is_none_or(|was| was.is_some()) {
            return Err(ScimError::invalid_value(format!(
                "{} is required (RFC 7643 §2.2, §7)",
                attr.name
            )));
        }
        let identifier = attr.uniqueness != Uniqueness::None
            && attr.data_type == AttributeType::String
            && attr.mutability != Mutability::ReadOnly;
        let changed = was.is_none_or(|was| was != now);
        if let (true, true, Some(Value::String(text))) = (identifier, changed, now) {
            let trimmed = text.trim().to_owned();
            if trimmed.is_empty() {
                return Err(ScimError::invalid_value(format!(
                    "{} must not be empty (RFC 7643 §4.1.1)",
                    attr.name
                )));
            }
            target::set_ci(root, attr.name, Value::String(trimmed));
        }
    }
    Ok(())
}

/// The last touches every stored resource gets: at most one `primary: true`
/// per multi-valued attribute (RFC 7643 §2.4), no empty extension objects,
/// and `schemas` listing the core schema and exactly the extensions the
/// resource has attributes of (RFC 7643 §3: URIs "of the SCIM schemas that
/// define the attributes present in the current JSON structure").
pub(crate) fn finish(root: &mut Map<String, Value>, schema: &Schema) {
    let containers = std::iter::once(Container::Core)
        .chain(schema.extensions.iter().map(|&e| Container::Extension(e)));
    for container in containers {
        let Some(object) = container_object_mut(root, container) else {
            continue;
        };
        let multi = match container {
            Container::Core => schema.core.attributes,
            Container::Extension(extension) => extension.attributes,
        };
        for attr in multi.iter().filter(|a| a.multi_valued && a.is_complex()) {
            // Every spelling: a stored resource is not trusted to be canonical.
            for (_, value) in object
                .iter_mut()
                .filter(|(key, _)| key.eq_ignore_ascii_case(attr.name))
            {
                if let Value::Array(items) = value {
                    coerce::keep_first_primary(items);
                }
            }
        }
    }
    let mut urns = vec![Value::from(schema.core.id)];
    for extension in schema.extensions {
        let present = target::get_ci(root, extension.id)
            .and_then(Value::as_object)
            .is_some_and(|o| o.values().any(|v| !v.is_null()));
        if present {
            urns.push(Value::from(extension.id));
        } else {
            target::remove_ci(root, extension.id);
        }
    }
    target::set_ci(root, "schemas", Value::Array(urns));
}

fn container_object_mut(
    root: &mut Map<String, Value>,
    container: Container,
) -> Option<&mut Map<String, Value>> {
    match container {
        Container::Core => Some(root),
        Container::Extension(extension) => {
            let key = root
                .keys()
                .find(|k| k.eq_ignore_ascii_case(extension.id))?
                .clone();
            root.get_mut(&key)?.as_object_mut()
        }
    }
}

#[cfg(test)]
mod tests;
