//! What a response shows of a resource: the `attributes` and
//! `excludedAttributes` parameters (RFC 7644 §3.4.2.5, §3.9) and each
//! attribute's `returned` characteristic (RFC 7643 §7).

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::path::AttrPath;
use crate::schema::{Attribute, Returned, Schema};
use crate::target::{self, Container, Named};

/// The most paths one `attributes` or `excludedAttributes` value may list.
/// The User schema has about 40 attributes and sub-attributes that matter;
/// the bound caps the work a hostile query can ask for.
pub const MAX_ATTRIBUTE_PATHS: usize = 100;

/// Parses a comma-separated `attributes` / `excludedAttributes` value
/// (RFC 7644 §3.4.2.5: "a multi-valued list of strings indicating the names
/// of resource attributes"). Blank entries are skipped.
///
/// Errors are `invalidValue`: the RFC names no keyword for a bad query
/// parameter, and what is wrong is the parameter's value (`invalidPath` is
/// PATCH's, `invalidSyntax` the body's). Value filters
/// (`emails[type eq "work"]`) are not attribute names and are refused.
pub fn parse_attribute_list(raw: &str) -> Result<Vec<AttrPath>, ScimError> {
    let mut paths = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if paths.len() == MAX_ATTRIBUTE_PATHS {
            return Err(ScimError::invalid_value(format!(
                "at most {MAX_ATTRIBUTE_PATHS} attribute names are accepted"
            )));
        }
        let path = AttrPath::parse(entry).map_err(|e| {
            ScimError::invalid_value(format!("in the attribute list: {}", e.detail))
        })?;
        paths.push(path);
    }
    Ok(paths)
}

/// `resource` as a response shows it (RFC 7644 §3.4.2.5, §3.9):
///
/// - `returned: "always"` attributes (`id`, `schemas`) are always there and
///   `returned: "never"` ones (`password`) never;
/// - with `attributes`, only the named attributes (and "always" ones);
///   a sub-attribute path (`name.givenName`, `emails.value`) keeps only
///   that sub-attribute, a schema URN keeps its whole extension;
/// - otherwise the "default" attributes, less the `excluded` ones;
///   `returned: "request"` attributes appear only when named;
/// - names and URNs match case-insensitively; paths naming nothing the
///   schema defines are ignored. Attributes of the resource that the schema
///   does not define appear only in a default projection.
///
/// Should both lists be given, `attributes` selects and `excluded` then
/// removes from that selection.
pub fn project(
    resource: &Value,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
    schema: &Schema,
) -> Value {
    project_owned(resource.clone(), attributes, excluded, schema)
}

/// [`project`] of a resource the caller no longer needs: what is shown is moved, not copied
/// (a page of 100 people is projected per request).
pub fn project_owned(
    resource: Value,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
    schema: &Schema,
) -> Value {
    let Value::Object(root) = resource else {
        return resource;
    };
    let rules = Rules {
        selecting: !attributes.is_empty(),
        include: Selection::new(attributes, schema),
        exclude: Selection::new(excluded, schema),
    };
    let mut out = Map::new();
    for (key, value) in root {
        if let Some(extension) = schema.extension(&key) {
            if let Value::Object(object) = value {
                let container = Container::Extension(extension);
                let projected = rules.object(object, container, schema);
                if !projected.is_empty() {
                    out.insert(extension.id.to_owned(), Value::Object(projected));
                }
            }
            continue;
        }
        match target::locate_in(Container::Core, &key, None, schema) {
            Named::Attribute(located) => {
                if let Some(value) = rules.attribute(Container::Core, located.attr, value) {
                    out.insert(canonical(key, located.attr.name), value);
                }
            }
            Named::Schema(_) | Named::Unknown => {
                if !rules.selecting {
                    out.insert(key, value);
                }
            }
        }
    }
    Value::Object(out)
}

/// The schema's spelling of a member name, reusing the member's own string when it already is.
fn canonical(key: String, name: &'static str) -> String {
    if key == name { key } else { name.to_owned() }
}

/// The attributes and sub-attributes a list of paths names.
struct Selection {
    /// Schemas named by URN alone: all their attributes.
    schemas: Vec<Container>,
    /// `(container, attribute, sub-attribute)` in the schema's spelling.
    paths: Vec<(Container, &'static str, Option<&'static str>)>,
}

impl Selection {
    fn new(paths: &[AttrPath], schema: &Schema) -> Self {
        let mut selection = Self {
            schemas: Vec::new(),
            paths: Vec::new(),
        };
        for path in paths {
            match target::locate(path, schema) {
                Named::Schema(container) => selection.schemas.push(container),
                Named::Attribute(l) => {
                    let sub = l.sub.map(|s| s.name);
                    selection.paths.push((l.container, l.attr.name, sub));
                }
                Named::Unknown => {}
            }
        }
        selection
    }

    /// Whether the whole attribute is named (itself, or its schema).
    fn names_whole(&self, container: Container, attr: &Attribute) -> bool {
        self.schemas.contains(&container)
            || self
                .paths
                .iter()
                .any(|&(c, a, sub)| c == container && a == attr.name && sub.is_none())
    }

    /// The sub-attributes of `attr` that are named.
    fn subs(&self, container: Container, attr: &Attribute) -> Vec<&'static str> {
        self.paths
            .iter()
            .filter(|&&(c, a, _)| c == container && a == attr.name)
            .filter_map(|&(_, _, sub)| sub)
            .collect()
    }
}

struct Rules {
    /// `attributes` was given: only what it names (if anything) is shown.
    selecting: bool,
    include: Selection,
    exclude: Selection,
}

impl Rules {
    fn object(
        &self,
        object: Map<String, Value>,
        container: Container,
        schema: &Schema,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, value) in object {
            match target::locate_in(container, &key, None, schema) {
                Named::Attribute(located) => {
                    if let Some(value) = self.attribute(container, located.attr, value) {
                        out.insert(canonical(key, located.attr.name), value);
                    }
                }
                Named::Schema(_) | Named::Unknown => {
                    if !self.selecting {
                        out.insert(key, value);
                    }
                }
            }
        }
        out
    }

    /// One attribute's projected value, or `None` when it is left out.
    fn attribute(&self, container: Container, attr: &Attribute, value: Value) -> Option<Value> {
        let returned = |sub: Option<&Attribute>| sub.is_none_or(|s| s.returned != Returned::Never);
        match attr.returned {
            Returned::Never => return None,
            Returned::Always => return non_empty(keep_subs(attr, value, returned)),
            Returned::Default | Returned::Request => {}
        }
        let selected = if !self.selecting {
            // A sub-attribute returned on request only is left out unless asked for.
            (attr.returned == Returned::Default).then(|| {
                keep_subs(attr, value, |s| {
                    s.is_none_or(|s| s.returned != Returned::Request)
                })
            })?
        } else if self.include.names_whole(container, attr) {
            value
        } else {
            let subs = self.include.subs(container, attr);
            if subs.is_empty() {
                return None;
            }
            keep_subs(attr, value, |sub| {
                sub.is_some_and(|s| s.returned == Returned::Always || subs.contains(&s.name))
            })
        };
        if self.exclude.names_whole(container, attr) {
            return None;
        }
        let excluded = self.exclude.subs(container, attr);
        let kept = keep_subs(attr, selected, |sub| {
            returned(sub)
                && sub.is_none_or(|s| s.returned == Returned::Always || !excluded.contains(&s.name))
        });
        non_empty(kept)
    }
}

/// `value` with only the sub-attributes `keep` accepts (it is given `None`
/// for a member the schema does not define), in the object or in each
/// element of an array; elements left empty are dropped.
fn keep_subs(attr: &Attribute, value: Value, keep: impl Fn(Option<&Attribute>) -> bool) -> Value {
    if !attr.is_complex() {
        return value;
    }
    let filter = |object: Map<String, Value>| -> Map<String, Value> {
        object
            .into_iter()
            .filter_map(|(name, v)| {
                let sub = attr.sub_attribute(&name);
                if !keep(sub) {
                    return None;
                }
                let name = match sub {
                    Some(s) => canonical(name, s.name),
                    None => name,
                };
                Some((name, v))
            })
            .collect()
    };
    match value {
        Value::Object(object) => Value::Object(filter(object)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(object) => {
                        let kept = filter(object);
                        (!kept.is_empty()).then_some(Value::Object(kept))
                    }
                    other => Some(other),
                })
                .collect(),
        ),
        other => other,
    }
}

/// RFC 7643 §2.5: an empty object or array is unassigned; leave it out.
fn non_empty(value: Value) -> Option<Value> {
    match &value {
        Value::Object(o) if o.is_empty() => None,
        Value::Array(a) if a.is_empty() => None,
        _ => Some(value),
    }
}
