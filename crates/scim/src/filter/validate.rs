//! Filters that parse but that RFC 7644 §3.4.2.2 says must fail with 400
//! `invalidFilter` ("the specified attribute and filter comparison
//! combination is not supported", §3.12), found before any resource is read.
//!
//! Unknown attributes are not errors: they match nothing, as a filter on an
//! attribute the resource lacks does (RFC 7643 §2.5), and IdPs send
//! attributes we do not model.

use super::eval::{Scope, definition};
use super::{CompValue, CompareOp, Filter};
use crate::datetime::Timestamp;
use crate::error::ScimError;
use crate::path::AttrPath;
use crate::schema::{Attribute, AttributeType, Schema};

/// Checks every comparison in `filter` against `schema`'s attribute types.
pub fn validate(filter: &Filter, schema: &Schema) -> Result<(), ScimError> {
    check(filter, Scope::Resource(schema))
}

fn check(filter: &Filter, scope: Scope<'_>) -> Result<(), ScimError> {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            check(left, scope)?;
            check(right, scope)
        }
        Filter::Not(inner) => check(inner, scope),
        Filter::Present(_) => Ok(()),
        Filter::Compare { path, op, value } => {
            check_comparison(path, *op, value, definition(path, scope))
        }
        Filter::ValuePath(value_path) => {
            let path = value_path.attr_path();
            let parent = definition(&path, scope);
            if let Some(parent) = parent.filter(|p| !p.is_complex()) {
                return Err(ScimError::invalid_filter(format!(
                    "\"{path}\" is a {} attribute; \"[...]\" filters the values of a complex \
                     attribute (RFC 7644 §3.4.2.2 valuePath)",
                    parent.data_type.as_str()
                )));
            }
            check(&value_path.filter, Scope::Element(parent))
        }
    }
}

fn check_comparison(
    path: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    definition: Option<&'static Attribute>,
) -> Result<(), ScimError> {
    let definition = match definition {
        Some(d) if d.is_complex() => Some(d.value_sub_attribute().ok_or_else(|| {
            ScimError::invalid_filter(format!(
                "\"{path}\" is complex: compare one of its sub-attributes, e.g. \"{path}.{}\" \
                 (RFC 7644 §3.4.2.2)",
                d.sub_attributes.first().map_or("value", |s| s.name)
            ))
        })?),
        other => other,
    };
    if let Some(d) = definition {
        check_operator(path, op, d)?;
    }
    check_value_kind(op, value)?;
    match definition {
        Some(d) => check_value_type(path, op, value, d),
        None => Ok(()),
    }
}

/// RFC 7644 §3.4.2.2 on gt, ge, lt and le: "Boolean and Binary attributes
/// SHALL cause a failed response (HTTP status code 400) with a 'scimType' of
/// 'invalidFilter'."
fn check_operator(path: &AttrPath, op: CompareOp, definition: &Attribute) -> Result<(), ScimError> {
    let unordered = matches!(
        definition.data_type,
        AttributeType::Boolean | AttributeType::Binary
    );
    if op.is_ordering() && unordered {
        return Err(ScimError::invalid_filter(format!(
            "\"{op}\" cannot compare the {} attribute \"{path}\": gt, ge, lt and le are not \
             defined for boolean and binary attributes (RFC 7644 §3.4.2.2)",
            definition.data_type.as_str()
        )));
    }
    Ok(())
}

/// Operators that make no sense with the kind of value given, whatever the attribute.
fn check_value_kind(op: CompareOp, value: &CompValue) -> Result<(), ScimError> {
    let allowed = match value {
        CompValue::Null | CompValue::Bool(_) => matches!(op, CompareOp::Eq | CompareOp::Ne),
        CompValue::Number(_) => !op.is_substring(),
        CompValue::String(_) => true,
    };
    if allowed {
        return Ok(());
    }
    let needs = if op.is_substring() {
        "a string"
    } else {
        "a string or a number"
    };
    Err(ScimError::invalid_filter(format!(
        "\"{op}\" needs {needs} to compare with, not {value}"
    )))
}

/// The comparison value must be of the attribute's type (RFC 7643 §2.3), and
/// a dateTime must be one (§2.3.5) to be compared chronologically.
fn check_value_type(
    path: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    definition: &Attribute,
) -> Result<(), ScimError> {
    let data_type = definition.data_type;
    let fits = match value {
        CompValue::Null => true,
        CompValue::Bool(_) => data_type == AttributeType::Boolean,
        CompValue::Number(_) => {
            matches!(data_type, AttributeType::Integer | AttributeType::Decimal)
        }
        CompValue::String(s) => match data_type {
            AttributeType::Boolean | AttributeType::Integer | AttributeType::Decimal => false,
            AttributeType::DateTime if !op.is_substring() => Timestamp::parse(s).is_some(),
            _ => true,
        },
    };
    if fits {
        return Ok(());
    }
    let hint = match data_type {
        AttributeType::Boolean => "compare it with true or false",
        AttributeType::Integer | AttributeType::Decimal => "compare it with a number",
        AttributeType::DateTime => "compare it with a dateTime such as \"2011-05-13T04:42:34Z\"",
        _ => "compare it with a \"quoted string\"",
    };
    Err(ScimError::invalid_filter(format!(
        "\"{path}\" is a {} attribute and {value} is not one; {hint} (RFC 7643 §2.3)",
        data_type.as_str()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{GROUP, USER};

    fn check_user(filter: &str) -> Result<(), ScimError> {
        validate(&Filter::parse(filter)?, &USER)
    }

    #[test]
    fn accepts_well_typed_filters() {
        let ok = [
            r#"userName eq "bjensen""#,
            "active eq true",
            "active ne false",
            "title eq null",
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            r#"meta.created sw "2011""#,
            r#"emails co "example.com""#,
            r#"emails[type eq "work" and value co "@acme"]"#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Tour""#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26""#,
            r#"unknownThing gt 5"#,
            r#"name pr"#,
            r#"x509Certificates.value eq "TUlJ""#,
        ];
        for filter in ok {
            assert_eq!(check_user(filter), Ok(()), "{filter}");
        }
    }

    #[test]
    fn rejects_what_rfc_7644_says_must_fail() {
        let bad = [
            ("active gt true", "boolean"),
            (r#"active lt "x""#, "boolean"),
            (r#"emails.primary ge false"#, "boolean"),
            (r#"x509Certificates.value gt "TUlJ""#, "binary"),
            (r#"emails[primary le true]"#, "boolean"),
            (r#"userName gt true"#, "needs a string or a number"),
            (r#"title co 5"#, "needs a string"),
            (r#"anything sw null"#, "needs a string"),
            (r#"active eq "true""#, "compare it with true or false"),
            (r#"userName eq 5"#, "quoted string"),
            (r#"meta.lastModified gt "yesterday""#, "dateTime"),
            (r#"name eq "Barbara""#, "complex"),
            (r#"userName[value eq "x"]"#, "valuePath"),
        ];
        for (filter, reason) in bad {
            let error = check_user(filter).unwrap_err();
            assert_eq!(error.status, 400, "{filter}");
            assert_eq!(
                error.scim_type,
                Some(crate::ScimType::InvalidFilter),
                "{filter}"
            );
            assert!(error.detail.contains(reason), "{filter}: {}", error.detail);
        }
    }

    #[test]
    fn checks_group_members() {
        let filter = Filter::parse(r#"members.value eq "2819c223""#).unwrap();
        assert_eq!(validate(&filter, &GROUP), Ok(()));
        let filter = Filter::parse("members.value gt true").unwrap();
        assert!(validate(&filter, &GROUP).is_err());
    }
}
