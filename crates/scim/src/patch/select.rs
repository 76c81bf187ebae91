//! What a PATCH path selects in a resource (RFC 7644 §3.5.2, Figure 7):
//! an attribute, a sub-attribute, a whole extension, or the values of a
//! complex attribute that match a value filter.

use super::parse::unqualified_extension_attribute;
use crate::error::ScimError;
use crate::filter::Filter;
use crate::path::{AttrPath, PatchPath};
use crate::schema::{Attribute, Schema};
use crate::target::{self, Container, Located, Named};

/// A resolved PATCH path.
pub(super) enum Selection<'p> {
    /// `attr`, `attr.sub`, a schema URN, or something unknown.
    Named(Named),
    /// `attr[filter]` or `attr[filter].sub`.
    Filtered(Filtered<'p>),
}

/// `attr[filter][.sub]` on a complex attribute.
pub(super) struct Filtered<'p> {
    pub(super) container: Container,
    pub(super) attr: &'static Attribute,
    pub(super) filter: &'p Filter,
    pub(super) sub: Option<&'static Attribute>,
    /// The path as written, for error messages.
    pub(super) label: String,
}

impl Filtered<'_> {
    /// The attribute (and sub-attribute) written, for its mutability.
    pub(super) fn located(&self) -> Located {
        Located {
            container: self.container,
            attr: self.attr,
            sub: self.sub,
        }
    }
}

/// Resolves `path` against `schema`. Names the schema does not define
/// select nothing ([`Named::Unknown`]); a value filter on an attribute
/// without sub-attributes is `invalidPath`.
pub(super) fn select<'p>(path: &'p PatchPath, schema: &Schema) -> Result<Selection<'p>, ScimError> {
    let (value_path, sub_attr) = match path {
        PatchPath::Attr(path) => return Ok(Selection::Named(locate(path, schema))),
        PatchPath::Value { path, sub_attr } => (path, sub_attr),
    };
    let located = match locate(&value_path.attr_path(), schema) {
        Named::Attribute(located) => located,
        Named::Unknown => return Ok(Selection::Named(Named::Unknown)),
        Named::Schema(_) => {
            return Err(ScimError::invalid_path(format!(
                "\"{path}\" filters a schema, not an attribute (RFC 7644 §3.5.2)"
            )));
        }
    };
    if !located.attr.is_complex() {
        return Err(ScimError::invalid_path(format!(
            "\"{path}\" filters {}, which has no sub-attributes to filter on (RFC 7644 §3.5.2)",
            located.label()
        )));
    }
    let sub = match sub_attr {
        None => None,
        Some(name) => match located.attr.sub_attribute(name) {
            Some(sub) => Some(sub),
            None => return Ok(Selection::Named(Named::Unknown)),
        },
    };
    Ok(Selection::Filtered(Filtered {
        container: located.container,
        attr: located.attr,
        filter: &value_path.filter,
        sub,
        label: path.to_string(),
    }))
}

/// [`target::locate`], plus Entra ID's unqualified extension attributes.
fn locate(path: &AttrPath, schema: &Schema) -> Named {
    match target::locate(path, schema) {
        Named::Unknown if path.urn.is_none() => {
            match unqualified_extension_attribute(schema, &path.attr) {
                Some((extension, _)) => target::locate_in(
                    Container::Extension(extension),
                    &path.attr,
                    path.sub_attr.as_deref(),
                    schema,
                ),
                None => Named::Unknown,
            }
        }
        named => named,
    }
}
