//! Attribute paths, parsed once for filters and PATCH (style §4 "One grammar").
//!
//! RFC 7644 §3.4.2.2 (filter `attrPath`) and §3.5.2 (PATCH `path`, Figure 7):
//!
//! ```text
//! attrPath  = [URI ":"] ATTRNAME *1subAttr
//! valuePath = attrPath "[" valFilter "]"
//! PATH      = attrPath / valuePath [subAttr]
//! ```
//!
//! The bracketed filter is parsed by [`crate::filter`]'s parser, so a PATCH
//! path and a filter can never disagree on what `emails[type eq "work"]` means.

use std::fmt;

use crate::error::ScimError;
use crate::filter::{Filter, parse};

/// `[URN ":"] attr ["." subAttr]`, names as written (compare them
/// case-insensitively, or [`crate::Schema::normalize`] them first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN, e.g. the enterprise extension's; `None` means the
    /// resource's core schema (RFC 7644 §3.10).
    pub urn: Option<String>,
    /// The attribute name, e.g. `name`.
    pub attr: String,
    /// The sub-attribute name, e.g. `familyName`.
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// A path to a top-level attribute of the core schema.
    pub fn new(attr: impl Into<String>) -> Self {
        Self {
            urn: None,
            attr: attr.into(),
            sub_attr: None,
        }
    }

    /// This path qualified by a schema URN.
    pub fn with_urn(self, urn: impl Into<String>) -> Self {
        Self {
            urn: Some(urn.into()),
            ..self
        }
    }

    /// This path narrowed to a sub-attribute.
    pub fn with_sub_attr(self, sub_attr: impl Into<String>) -> Self {
        Self {
            sub_attr: Some(sub_attr.into()),
            ..self
        }
    }

    /// Parses a bare attribute path (no value filter), e.g. an entry of the
    /// `attributes` query parameter (RFC 7644 §3.9). Errors are `invalidPath`.
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        parse::attr_path(input).map_err(SyntaxError::into_path_error)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// `[URN ":"] attr "[" valFilter "]"`: the values of a multi-valued (or
/// complex) attribute that match `filter`, whose paths name sub-attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuePath {
    pub urn: Option<String>,
    pub attr: String,
    pub filter: Box<Filter>,
}

impl ValuePath {
    /// The attribute whose values are filtered, as a path.
    pub fn attr_path(&self) -> AttrPath {
        AttrPath {
            urn: self.urn.clone(),
            attr: self.attr.clone(),
            sub_attr: None,
        }
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        write!(f, "{}[{}]", self.attr, self.filter)
    }
}

/// A PATCH operation's `path` (RFC 7644 §3.5.2, Figure 7).
///
/// A path that is only an extension URN (`urn:…:enterprise:2.0:User`) parses
/// as `Attr` with URN `urn:…:2.0` and attribute `User`; a PATCH engine that
/// accepts it should compare the raw path with the schema's extension URNs
/// before parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchPath {
    /// `[URN ":"] attr ["." subAttr]`.
    Attr(AttrPath),
    /// `attr[valFilter]` or `attr[valFilter].subAttr`, e.g. `emails[type eq "work"].value`.
    Value {
        path: ValuePath,
        sub_attr: Option<String>,
    },
}

impl PatchPath {
    /// Parses a PATCH path. Errors are `invalidPath` (RFC 7644 §3.5.2).
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        parse::patch_path(input).map_err(SyntaxError::into_path_error)
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Attr(path) => path.fmt(f),
            Self::Value { path, sub_attr } => {
                path.fmt(f)?;
                match sub_attr {
                    Some(sub) => write!(f, ".{sub}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A syntax error at a byte offset of the input; the caller decides whether
/// it is an `invalidFilter` or an `invalidPath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) pos: usize,
    pub(crate) message: String,
}

impl SyntaxError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
        }
    }

    pub(crate) fn into_filter_error(self) -> ScimError {
        ScimError::invalid_filter(format!(
            "invalid filter at position {}: {}",
            self.pos, self.message
        ))
    }

    pub(crate) fn into_path_error(self) -> ScimError {
        ScimError::invalid_path(format!(
            "invalid path at position {}: {}",
            self.pos, self.message
        ))
    }
}

/// Bytes of a bare word: attribute paths with their URN, operators,
/// keywords and numbers. The caller splits and checks it.
pub(crate) const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'$' | b'-' | b'+')
}

/// Splits a word such as `urn:…:User:name.familyName` into an [`AttrPath`].
/// The URN is everything before the last `:`, since URNs contain dots
/// (`2.0`) but attribute names contain no colon (RFC 7643 §2.1).
pub(crate) fn attr_path_from_word(word: &str, pos: usize) -> Result<AttrPath, SyntaxError> {
    let (urn, rest, rest_pos) = match word.rfind(':') {
        Some(colon) => {
            let urn = word.get(..colon).unwrap_or_default();
            let rest = word.get(colon + 1..).unwrap_or_default();
            check_urn(urn, pos)?;
            (Some(urn.to_owned()), rest, pos + colon + 1)
        }
        None => (None, word, pos),
    };
    let mut parts = rest.split('.');
    let attr = parts.next().unwrap_or_default();
    check_name(attr, rest_pos)?;
    let sub_attr = match parts.next() {
        Some(sub) => {
            check_name(sub, rest_pos + attr.len() + 1)?;
            Some(sub.to_owned())
        }
        None => None,
    };
    if parts.next().is_some() {
        return Err(too_deep(word, pos));
    }
    Ok(AttrPath {
        urn,
        attr: attr.to_owned(),
        sub_attr,
    })
}

/// `.familyName` after a value filter's `]` (RFC 7644 §3.5.2 `valuePath [subAttr]`).
pub(crate) fn sub_attr_from_word(word: &str, pos: usize) -> Result<String, SyntaxError> {
    let name = word.strip_prefix('.').unwrap_or(word);
    if name.contains('.') {
        return Err(too_deep(word, pos));
    }
    check_name(name, pos + 1)?;
    Ok(name.to_owned())
}

/// RFC 7643 §2.3.8: a complex attribute's sub-attributes are never complex,
/// so a path has at most one sub-attribute.
fn too_deep(word: &str, pos: usize) -> SyntaxError {
    SyntaxError::new(
        pos,
        format!(
            "\"{}\" names a sub-attribute of a sub-attribute; SCIM has one level (RFC 7643 §2.3.8)",
            excerpt(word)
        ),
    )
}

/// RFC 3986 §3.1: a URI starts with a letter; SCIM schema URIs are URNs.
fn check_urn(urn: &str, pos: usize) -> Result<(), SyntaxError> {
    match urn.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => Ok(()),
        _ => Err(SyntaxError::new(
            pos,
            "expected a schema URN before ':' (e.g. urn:ietf:params:scim:schemas:core:2.0:User)",
        )),
    }
}

/// RFC 7644 §3.4.2.2 `ATTRNAME = ALPHA *(nameChar)`, plus `$ref`, which RFC
/// 7643 §2.1 and §4.2 use as a sub-attribute name.
fn check_name(name: &str, pos: usize) -> Result<(), SyntaxError> {
    let body = name.strip_prefix('$').unwrap_or(name);
    let mut bytes = body.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if starts_with_letter && rest_ok {
        return Ok(());
    }
    let message = if name.is_empty() {
        "expected an attribute name".to_owned()
    } else {
        format!(
            "\"{}\" is not an attribute name: names start with a letter and contain \
             letters, digits, '-' or '_' (RFC 7644 §3.4.2.2 ATTRNAME)",
            excerpt(name)
        )
    };
    Err(SyntaxError::new(pos, message))
}

/// At most 40 characters of client input, to keep error messages short.
pub(crate) fn excerpt(s: &str) -> String {
    const LIMIT: usize = 40;
    if s.chars().count() <= LIMIT {
        return s.to_owned();
    }
    let mut cut: String = s.chars().take(LIMIT).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests;
