//! SCIM filters (RFC 7644 §3.4.2.2): the syntax tree, its canonical text,
//! and the entry points. `parse.rs` reads the text, `eval.rs` gives a filter
//! its meaning over a JSON resource, `validate.rs` rejects what the RFC says
//! must fail against the schema.

mod eval;
mod lex;
pub(crate) mod parse;
mod validate;

use std::fmt;
use std::str::FromStr;

use serde_json::Number;

use crate::error::ScimError;
use crate::path::{AttrPath, ValuePath};
use crate::schema::Schema;

pub(crate) use eval::matches_element;
pub use eval::{fold_case, matches};
pub use validate::validate;

/// The longest filter accepted, in bytes. Real IdP filters are well under
/// 200 bytes; the bound caps the work a hostile client can ask for.
pub const MAX_FILTER_LEN: usize = 4096;

/// The deepest nesting of `(`, `not (` and `[` accepted; checked before each
/// descent, so the parser's stack stays bounded whatever the input.
pub const MAX_DEPTH: usize = 32;

/// An attribute operator of RFC 7644 §3.4.2.2, Table 3 (`pr` is [`Filter::Present`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    /// Every operator, in Table 3 order.
    pub const ALL: [Self; 9] = [
        Self::Eq,
        Self::Ne,
        Self::Co,
        Self::Sw,
        Self::Ew,
        Self::Gt,
        Self::Lt,
        Self::Ge,
        Self::Le,
    ];

    /// The canonical (lower-case) keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }

    /// The operator a keyword names; operators are case-insensitive (RFC 7644 §3.4.2.2).
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(keyword))
    }

    /// `gt`, `ge`, `lt`, `le`: the operators that order values.
    pub const fn is_ordering(self) -> bool {
        matches!(self, Self::Gt | Self::Ge | Self::Lt | Self::Le)
    }

    /// `co`, `sw`, `ew`: the operators that match substrings.
    pub const fn is_substring(self) -> bool {
        matches!(self, Self::Co | Self::Sw | Self::Ew)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison value: `compValue = false / null / true / number / string`,
/// with JSON's syntax (RFC 7644 §3.4.2.2, RFC 7159).
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => {
                let quoted = serde_json::to_string(s).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
        }
    }
}

/// A parsed filter (RFC 7644 §3.4.2.2, Figure 1).
///
/// `and` and `or` are binary and left-associative, as the parser builds them:
/// `a and b and c` is `And(And(a, b), c)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath compareOp compValue`.
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `attrPath pr`.
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    /// `not (filter)`.
    Not(Box<Filter>),
    /// `attr[valFilter]`: some value of `attr` matches the inner filter.
    ValuePath(ValuePath),
}

impl Filter {
    /// Parses a filter; errors are `invalidFilter` naming the position and
    /// what was expected there.
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        parse::filter(input).map_err(|e| e.into_filter_error())
    }

    /// Parses a filter and [`validate()`]s it against `schema`: what a
    /// `GET /Users?filter=` handler wants.
    pub fn parse_for(input: &str, schema: &Schema) -> Result<Self, ScimError> {
        let filter = Self::parse(input)?;
        validate(&filter, schema)?;
        Ok(filter)
    }

    /// Whether `resource` (a SCIM resource as JSON) matches this filter.
    pub fn matches(&self, resource: &serde_json::Value, schema: &Schema) -> bool {
        matches(self, resource, schema)
    }

    /// This filter with attribute names spelled as the schema defines them
    /// (see [`Schema::normalize`]), so a SQL planner can compare names exactly.
    pub fn normalized(&self, schema: &Schema) -> Self {
        eval::normalize(self, eval::Scope::Resource(schema))
    }

    /// Binding strength for printing: `or` < `and` < everything else.
    fn precedence(&self) -> u8 {
        match self {
            Self::Or(..) => 0,
            Self::And(..) => 1,
            _ => 2,
        }
    }
}

impl FromStr for Filter {
    type Err = ScimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Canonical text: lower-case keywords, single spaces, the fewest
/// parentheses that keep the tree's shape, so `parse(f.to_string()) == f`.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Self::Present(path) => write!(f, "{path} pr"),
            Self::And(left, right) => write_binary(f, self, left, "and", right),
            Self::Or(left, right) => write_binary(f, self, left, "or", right),
            Self::Not(inner) => write!(f, "not ({inner})"),
            Self::ValuePath(value_path) => value_path.fmt(f),
        }
    }
}

/// A left operand needs parentheses when it binds more loosely than its
/// parent; a right operand also when it binds equally, because the parser
/// associates to the left.
fn write_binary(
    f: &mut fmt::Formatter<'_>,
    parent: &Filter,
    left: &Filter,
    keyword: &str,
    right: &Filter,
) -> fmt::Result {
    write_operand(f, left, left.precedence() < parent.precedence())?;
    write!(f, " {keyword} ")?;
    write_operand(f, right, right.precedence() <= parent.precedence())
}

fn write_operand(f: &mut fmt::Formatter<'_>, operand: &Filter, parenthesize: bool) -> fmt::Result {
    if parenthesize {
        write!(f, "({operand})")
    } else {
        write!(f, "{operand}")
    }
}

#[cfg(test)]
mod tests;
