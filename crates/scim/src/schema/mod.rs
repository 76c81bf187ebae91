//! Attribute characteristics (RFC 7643 §2.2, §7) of the resources we serve.
//!
//! The data is static: the schemas of RFC 7643 §4.1 (User), §4.3 (enterprise
//! User extension) and §4.2 (Group), plus the common attributes of §3.1. A
//! [`Schema`] is one resource type (RFC 7643 §6): its core schema and its
//! extensions, which is what a filter or a PATCH path is resolved against.

mod common;
pub mod enterprise_user;
pub mod group;
mod render;
pub mod user;

use serde::{Deserialize, Serialize};

use crate::path::AttrPath;

/// The URN of the core User schema (RFC 7643 §8.7.1).
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The URN of the enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The URN of the core Group schema (RFC 7643 §8.7.1).
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttributeType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Reference,
    Complex,
    Binary,
}

impl AttributeType {
    /// The name used in `/Schemas` and in error messages (RFC 7643 §7 "type").
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Integer => "integer",
            Self::DateTime => "dateTime",
            Self::Reference => "reference",
            Self::Complex => "complex",
            Self::Binary => "binary",
        }
    }
}

/// Whether and how a client may change an attribute (RFC 7643 §7 "mutability").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// When an attribute is returned in a response (RFC 7643 §7 "returned").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

/// How far an attribute's values must be unique (RFC 7643 §7 "uniqueness").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

/// One attribute definition (RFC 7643 §7, "attributes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    pub data_type: AttributeType,
    pub multi_valued: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    /// Only for `complex` attributes; sub-attributes are never complex (RFC 7643 §2.3.8).
    pub sub_attributes: &'static [Attribute],
    pub canonical_values: &'static [&'static str],
    /// Only for `reference` attributes (RFC 7643 §7 "referenceTypes").
    pub reference_types: &'static [&'static str],
}

impl Attribute {
    /// An attribute with the defaults of RFC 7643 §2.2: optional, single-valued,
    /// caseExact false, readWrite, returned by default, no uniqueness.
    pub(crate) const fn new(
        name: &'static str,
        data_type: AttributeType,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            data_type,
            multi_valued: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub_attributes: &[],
            canonical_values: &[],
            reference_types: &[],
        }
    }

    pub(crate) const fn multi(self) -> Self {
        Self {
            multi_valued: true,
            ..self
        }
    }

    pub(crate) const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    pub(crate) const fn case_exact(self) -> Self {
        Self {
            case_exact: true,
            ..self
        }
    }

    pub(crate) const fn mutability(self, mutability: Mutability) -> Self {
        Self { mutability, ..self }
    }

    pub(crate) const fn returned(self, returned: Returned) -> Self {
        Self { returned, ..self }
    }

    pub(crate) const fn uniqueness(self, uniqueness: Uniqueness) -> Self {
        Self { uniqueness, ..self }
    }

    pub(crate) const fn canonical(self, canonical_values: &'static [&'static str]) -> Self {
        Self {
            canonical_values,
            ..self
        }
    }

    /// Whether this attribute has sub-attributes.
    pub const fn is_complex(&self) -> bool {
        matches!(self.data_type, AttributeType::Complex)
    }

    /// A sub-attribute by name, case-insensitively (RFC 7644 §3.10).
    pub fn sub_attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.sub_attributes, name)
    }

    /// The attribute a filter compares when a complex attribute is named
    /// without a sub-attribute (`emails co "example.com"`, RFC 7644 §3.4.2.2
    /// examples): its `value` sub-attribute (RFC 7643 §2.4), if it has one.
    pub fn value_sub_attribute(&self) -> Option<&'static Attribute> {
        self.sub_attribute("value")
    }
}

pub(crate) const fn string(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, AttributeType::String, description)
}

pub(crate) const fn boolean(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, AttributeType::Boolean, description)
}

pub(crate) const fn date_time(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, AttributeType::DateTime, description)
}

pub(crate) const fn binary(name: &'static str, description: &'static str) -> Attribute {
    // RFC 7643 §2.3.6: binary values are case exact.
    Attribute::new(name, AttributeType::Binary, description).case_exact()
}

pub(crate) const fn reference(
    name: &'static str,
    description: &'static str,
    reference_types: &'static [&'static str],
) -> Attribute {
    let attribute = Attribute::new(name, AttributeType::Reference, description);
    Attribute {
        reference_types,
        ..attribute
    }
}

pub(crate) const fn complex(
    name: &'static str,
    description: &'static str,
    sub_attributes: &'static [Attribute],
) -> Attribute {
    let attribute = Attribute::new(name, AttributeType::Complex, description);
    Attribute {
        sub_attributes,
        ..attribute
    }
}

fn find(attributes: &'static [Attribute], name: &str) -> Option<&'static Attribute> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// One schema, identified by its URN (RFC 7643 §7): what `/Schemas` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaDefinition {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

impl SchemaDefinition {
    /// A top-level attribute of this schema, case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.attributes, name)
    }

    /// Whether `urn` names this schema; URNs compare case-insensitively, as
    /// attribute names do (RFC 7644 §3.10).
    pub fn is(&self, urn: &str) -> bool {
        self.id.eq_ignore_ascii_case(urn)
    }
}

/// A resource type (RFC 7643 §6): its core schema and schema extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The resource type's name, e.g. "User" (`meta.resourceType`).
    pub name: &'static str,
    /// The endpoint relative to the base URL, e.g. "/Users".
    pub endpoint: &'static str,
    pub core: &'static SchemaDefinition,
    pub extensions: &'static [&'static SchemaDefinition],
}

/// The User resource type: core User plus the enterprise extension.
pub static USER: Schema = Schema {
    name: "User",
    endpoint: "/Users",
    core: &user::SCHEMA,
    extensions: &[&enterprise_user::SCHEMA],
};

/// The Group resource type.
pub static GROUP: Schema = Schema {
    name: "Group",
    endpoint: "/Groups",
    core: &group::SCHEMA,
    extensions: &[],
};

/// Every schema we serve, in the order `/Schemas` lists them.
pub fn definitions() -> [&'static SchemaDefinition; 3] {
    [&user::SCHEMA, &enterprise_user::SCHEMA, &group::SCHEMA]
}

/// Where a path's top-level attribute lives.
enum Container {
    /// The resource itself: common attributes and the core schema.
    Core,
    /// A schema extension's object, keyed by its URN in the resource.
    Extension(&'static SchemaDefinition),
}

impl Schema {
    /// The definition of `path` (`userName`, `name.familyName`,
    /// `urn:…:enterprise:2.0:User:manager.value`), case-insensitively. `None`
    /// for an unknown attribute or a path that does not parse.
    pub fn attribute(&self, path: &str) -> Option<&'static Attribute> {
        self.resolve(&AttrPath::parse(path).ok()?)
    }

    /// The definition of the attribute (or sub-attribute) `path` names.
    pub fn resolve(&self, path: &AttrPath) -> Option<&'static Attribute> {
        self.find(path.urn.as_deref(), &path.attr, path.sub_attr.as_deref())
    }

    /// The definition of `[urn:]attr[.sub_attr]`, case-insensitively.
    pub fn find(
        &self,
        urn: Option<&str>,
        attr: &str,
        sub_attr: Option<&str>,
    ) -> Option<&'static Attribute> {
        let top = match self.container(urn)? {
            Container::Core => common::attribute(attr).or_else(|| self.core.attribute(attr)),
            Container::Extension(extension) => extension.attribute(attr),
        }?;
        match sub_attr {
            None => Some(top),
            Some(sub) => top.sub_attribute(sub),
        }
    }

    /// The schema extension `urn` names, if this resource type has it.
    pub fn extension(&self, urn: &str) -> Option<&'static SchemaDefinition> {
        self.extensions.iter().copied().find(|e| e.is(urn))
    }

    /// RFC 7644 §3.10: a path without a URN is in the core schema.
    fn container(&self, urn: Option<&str>) -> Option<Container> {
        match urn {
            None => Some(Container::Core),
            Some(urn) if self.core.is(urn) => Some(Container::Core),
            Some(urn) => self.extension(urn).map(Container::Extension),
        }
    }

    /// `path` with the schema's spelling: names as defined, the core URN
    /// dropped (RFC 7644 §3.10 makes it optional) and extension URNs in their
    /// canonical case. Unknown parts are kept as written.
    pub fn normalize(&self, path: &AttrPath) -> AttrPath {
        let Some(top) = self.find(path.urn.as_deref(), &path.attr, None) else {
            return path.clone();
        };
        let urn = match self.container(path.urn.as_deref()) {
            Some(Container::Extension(extension)) => Some(extension.id.to_owned()),
            _ => None,
        };
        let sub_attr = path.sub_attr.as_ref().map(|sub| {
            top.sub_attribute(sub)
                .map_or_else(|| sub.clone(), |a| a.name.to_owned())
        });
        AttrPath {
            urn,
            attr: top.name.to_owned(),
            sub_attr,
        }
    }
}

#[cfg(test)]
mod tests;
