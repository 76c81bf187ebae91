//! Where an attribute path points: its definition in the schema and its
//! place in a resource's JSON (RFC 7644 §3.10, RFC 7643 §3.3). PATCH, body
//! normalization and projection all locate attributes here, so they agree
//! on what `NAME.givenName` or `urn:…:enterprise:2.0:User:manager` means.

use serde_json::{Map, Value};

use crate::path::AttrPath;
use crate::schema::{Attribute, Mutability, Schema, SchemaDefinition};

/// The object that holds a top-level attribute.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Container {
    /// The resource itself: common attributes and the core schema.
    Core,
    /// A schema extension: the object under its URN (RFC 7643 §3.3).
    Extension(&'static SchemaDefinition),
}

/// Schemas are the same when their URNs are (not a deep comparison).
impl PartialEq for Container {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Core, Self::Core) => true,
            (Self::Extension(a), Self::Extension(b)) => a.id == b.id,
            _ => false,
        }
    }
}

impl Eq for Container {}

/// A known attribute, or one sub-attribute of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located {
    pub(crate) container: Container,
    pub(crate) attr: &'static Attribute,
    pub(crate) sub: Option<&'static Attribute>,
}

impl Located {
    /// The path in the schema's spelling, for error messages.
    pub(crate) fn label(&self) -> String {
        let mut label = match self.container {
            Container::Core => String::new(),
            Container::Extension(extension) => format!("{}:", extension.id),
        };
        label.push_str(self.attr.name);
        if let Some(sub) = self.sub {
            label.push('.');
            label.push_str(sub.name);
        }
        label
    }

    /// How a client may change what the path names: a sub-attribute of a
    /// readOnly attribute is readOnly too (RFC 7643 §2.2, §7).
    pub(crate) fn mutability(&self) -> Mutability {
        match (self.attr.mutability, self.sub) {
            (Mutability::ReadOnly, _) | (_, None) => self.attr.mutability,
            (_, Some(sub)) => sub.mutability,
        }
    }
}

/// What an attribute path names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Named {
    /// A whole schema: the path is a schema URN, e.g. `urn:…:enterprise:2.0:User`.
    Schema(Container),
    Attribute(Located),
    /// Nothing the schema defines.
    Unknown,
}

/// What `path` names in `schema`, case-insensitively (RFC 7644 §3.10).
///
/// A bare extension URN parses as URN `urn:…:2.0` and attribute `User`
/// (the parser splits at the last colon), so it is recognized here by
/// joining the two again before anything else.
pub(crate) fn locate(path: &AttrPath, schema: &Schema) -> Named {
    if let (Some(urn), None) = (&path.urn, &path.sub_attr) {
        let whole = format!("{urn}:{}", path.attr);
        if schema.core.is(&whole) {
            return Named::Schema(Container::Core);
        }
        if let Some(extension) = schema.extension(&whole) {
            return Named::Schema(Container::Extension(extension));
        }
    }
    let container = match path.urn.as_deref() {
        None => Container::Core,
        Some(urn) if schema.core.is(urn) => Container::Core,
        Some(urn) => match schema.extension(urn) {
            Some(extension) => Container::Extension(extension),
            None => return Named::Unknown,
        },
    };
    locate_in(container, &path.attr, path.sub_attr.as_deref(), schema)
}

/// What `attr[.sub]` names inside `container`.
pub(crate) fn locate_in(
    container: Container,
    attr: &str,
    sub: Option<&str>,
    schema: &Schema,
) -> Named {
    let top = match container {
        Container::Core => schema.find(None, attr, None),
        Container::Extension(extension) => extension.attribute(attr),
    };
    let Some(attr) = top else {
        return Named::Unknown;
    };
    let sub = match sub {
        None => None,
        Some(name) => match attr.sub_attribute(name) {
            Some(sub) => Some(sub),
            None => return Named::Unknown,
        },
    };
    Named::Attribute(Located {
        container,
        attr,
        sub,
    })
}

/// A member of an object by name, exactly first, then ignoring ASCII case
/// (attribute names are case-insensitive, RFC 7643 §2.1).
pub(crate) fn get_ci<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// Removes every spelling of `name`; returns the value of the exact one if
/// there was one, else of any.
pub(crate) fn remove_ci(object: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let exact = object.remove(name);
    let others: Vec<String> = object
        .keys()
        .filter(|key| key.eq_ignore_ascii_case(name))
        .cloned()
        .collect();
    let mut other = None;
    for key in others {
        other = object.remove(&key).or(other);
    }
    exact.or(other)
}

/// Sets `name` in its canonical spelling, dropping other spellings.
pub(crate) fn set_ci(object: &mut Map<String, Value>, name: &str, value: Value) {
    remove_ci(object, name);
    object.insert(name.to_owned(), value);
}

/// The object holding `container`'s attributes, created (under the
/// extension's canonical URN) when missing. `None` cannot happen; callers
/// map it to an internal error rather than panic.
pub(crate) fn container_mut(
    root: &mut Map<String, Value>,
    container: Container,
) -> Option<&mut Map<String, Value>> {
    match container {
        Container::Core => Some(root),
        Container::Extension(extension) => {
            let object = match remove_ci(root, extension.id) {
                Some(Value::Object(object)) => object,
                _ => Map::new(),
            };
            root.insert(extension.id.to_owned(), Value::Object(object));
            root.get_mut(extension.id)?.as_object_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{ENTERPRISE_USER_URN, USER};

    fn named(path: &str) -> Named {
        locate(&AttrPath::parse(path).unwrap(), &USER)
    }

    #[test]
    fn a_bare_extension_urn_names_the_whole_extension() {
        let path = "URN:ietf:params:scim:schemas:extension:enterprise:2.0:user";
        assert!(matches!(
            named(path),
            Named::Schema(Container::Extension(e)) if e.id == ENTERPRISE_USER_URN
        ));
        assert!(matches!(
            named("urn:ietf:params:scim:schemas:core:2.0:User"),
            Named::Schema(Container::Core)
        ));
    }

    #[test]
    fn urn_qualified_and_dotted_paths_locate_their_definitions() {
        let cases = [
            ("userName", "userName"),
            ("NAME.GIVENNAME", "name.givenName"),
            (
                "urn:ietf:params:scim:schemas:core:2.0:User:emails",
                "emails",
            ),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            ),
            ("meta.created", "meta.created"),
        ];
        for (path, label) in cases {
            match named(path) {
                Named::Attribute(located) => assert_eq!(located.label(), label, "{path}"),
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_attributes_urns_and_sub_attributes_are_unknown() {
        for path in [
            "nope",
            "name.nope",
            "urn:example:custom:1.0:User:x",
            "department",
        ] {
            assert!(matches!(named(path), Named::Unknown), "{path}");
        }
    }

    #[test]
    fn a_sub_attribute_of_a_read_only_attribute_is_read_only() {
        let Named::Attribute(located) = named("groups.type") else {
            panic!("groups.type")
        };
        assert_eq!(located.mutability(), Mutability::ReadOnly);
        let Named::Attribute(located) =
            named("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName")
        else {
            panic!("manager.displayName")
        };
        assert_eq!(located.mutability(), Mutability::ReadOnly);
    }

    #[test]
    fn members_are_found_and_replaced_in_any_case() {
        let mut object = json!({"UserName": "a", "username": "b"})
            .as_object()
            .cloned()
            .unwrap();
        assert!(get_ci(&object, "userName").is_some());
        set_ci(&mut object, "userName", json!("c"));
        assert_eq!(Value::Object(object), json!({"userName": "c"}));
    }

    #[test]
    fn container_mut_renames_an_extension_to_its_canonical_urn() {
        let lower = ENTERPRISE_USER_URN.to_lowercase();
        let mut root = json!({ lower: {"department": "x"} })
            .as_object()
            .cloned()
            .unwrap();
        let extension = USER.extensions[0];
        let object = container_mut(&mut root, Container::Extension(extension)).unwrap();
        assert_eq!(object.get("department"), Some(&json!("x")));
        assert_eq!(
            Value::Object(root),
            json!({ ENTERPRISE_USER_URN: {"department": "x"} })
        );
    }
}
