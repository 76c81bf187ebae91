//! SCIM filter → a store predicate ([`UserPredicate`]), for what maps to an indexed column;
//! the store turns it into SQL. The `scim` crate's evaluator is the meaning of a filter; this
//! only narrows the rows it looks at. A plan is *exact* when the predicate selects precisely
//! the matching rows (then paging and counting happen in SQL); otherwise the rows it selects
//! are a superset and the evaluator decides.
//!
//! Pushed down exactly: `userName` (`eq ne co sw ew pr`, case-insensitive as RFC 7643 §4.1.1
//! says), `externalId` and `id` (`eq ne pr`, case-exact),
//! `emails.value` (`eq co sw ew pr`, case-insensitive), and `and` / `or` of those. An `and`
//! with one side that can't be pushed down narrows by the other side. Everything else (`not`,
//! value filters, other attributes, ordering comparisons, whose collation differs between
//! the backends) is left to the evaluator.

use scim::{AttrPath, CompValue, CompareOp, Filter, Schema, USER, USER_URN};
use uuid::Uuid;

use crate::store::{UserColumn, UserPredicate};

/// A filter pushed down, for Users or Groups: the predicate, and whether it selects exactly
/// the matching rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<P = UserPredicate> {
    pub predicate: Option<P>,
    pub exact: bool,
}

pub fn plan(filter: Option<&Filter>) -> Plan {
    plan_with(filter, &USER, translate)
}

/// The plan of a filter on the resource of `schema`, by that resource's `translate` (`None`:
/// nothing of it pushed down).
pub(super) fn plan_with<P>(
    filter: Option<&Filter>,
    schema: &Schema,
    translate: fn(&Filter) -> Option<(P, bool)>,
) -> Plan<P> {
    match filter {
        None => Plan {
            predicate: None,
            exact: true,
        },
        Some(f) => match translate(&f.normalized(schema)) {
            Some((predicate, exact)) => Plan {
                predicate: Some(predicate),
                exact,
            },
            None => Plan {
                predicate: None,
                exact: false,
            },
        },
    }
}

/// `and` / `or` of two pushed-down halves, the one rule for Users and Groups: an `and` narrows
/// by whichever half translates (exact only when both are), an `or` is pushed down only when
/// both halves are exact. `None` for any other filter.
pub(super) fn logical<P>(
    filter: &Filter,
    translate: fn(&Filter) -> Option<(P, bool)>,
    and: fn(P, P) -> P,
    or: fn(P, P) -> P,
) -> Option<(P, bool)> {
    match filter {
        Filter::And(a, b) => match (translate(a), translate(b)) {
            (Some((a, ea)), Some((b, eb))) => Some((and(a, b), ea && eb)),
            (Some((one, _)), None) | (None, Some((one, _))) => Some((one, false)),
            (None, None) => None,
        },
        Filter::Or(a, b) => match (translate(a), translate(b)) {
            (Some((a, true)), Some((b, true))) => Some((or(a, b), true)),
            _ => None,
        },
        _ => None,
    }
}

/// The core attribute a path names, as (attribute, sub-attribute), unless its URN names
/// another schema than `core_urn`.
pub(super) fn core_attribute<'a>(
    path: &'a AttrPath,
    core_urn: &str,
) -> Option<(&'a str, Option<&'a str>)> {
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(core_urn))
    {
        return None;
    }
    Some((path.attr.as_str(), path.sub_attr.as_deref()))
}

fn translate(filter: &Filter) -> Option<(UserPredicate, bool)> {
    match filter {
        Filter::Compare { path, op, value } if is_active(path) => {
            active(*op, value).map(|p| (p, false))
        }
        Filter::Compare { path, op, value } => compare(path, *op, value).map(|p| (p, true)),
        Filter::Present(path) => present(path).map(|p| (p, true)),
        Filter::And(..) | Filter::Or(..) => {
            logical(filter, translate, UserPredicate::and, UserPredicate::or)
        }
        Filter::Not(_) | Filter::ValuePath(_) => None,
    }
}

/// The attribute a path names, if it is a core User attribute we index.
fn attribute(path: &AttrPath) -> Option<(&str, Option<&str>)> {
    core_attribute(path, USER_URN)
}

/// The text attribute with a column of its own, and the operators pushed down on it.
fn text_column(path: &AttrPath, op: CompareOp) -> Option<UserColumn> {
    use CompareOp::{Co, Eq, Ew, Ne, Sw};
    match (attribute(path)?, op) {
        (("userName", None), Eq | Ne | Co | Sw | Ew) => Some(UserColumn::UserName),
        (("externalId", None), Eq | Ne) => Some(UserColumn::ExternalId),
        (("emails", None | Some("value")), Eq | Co | Sw | Ew) => Some(UserColumn::Email),
        _ => None,
    }
}

fn compare(path: &AttrPath, op: CompareOp, value: &CompValue) -> Option<UserPredicate> {
    let CompValue::String(s) = value else {
        return None;
    };
    if attribute(path)? == ("id", None) {
        return match (Uuid::parse_str(s), op) {
            (Ok(id), CompareOp::Eq) => Some(UserPredicate::IdEq(id)),
            (Ok(id), CompareOp::Ne) => Some(UserPredicate::IdNe(id)),
            // Ids are UUIDs: anything else is nobody's.
            (Err(_), CompareOp::Eq) => Some(UserPredicate::Nobody),
            (Err(_), CompareOp::Ne) => Some(UserPredicate::Everyone),
            _ => None,
        };
    }
    let column = text_column(path, op)?;
    let s = s.clone();
    Some(match op {
        CompareOp::Eq => UserPredicate::Eq(column, s),
        CompareOp::Ne => UserPredicate::Ne(column, s),
        CompareOp::Sw => UserPredicate::StartsWith(column, s),
        CompareOp::Ew => UserPredicate::EndsWith(column, s),
        _ => UserPredicate::Contains(column, s),
    })
}

fn is_active(path: &AttrPath) -> bool {
    attribute(path).is_some_and(|c| c == ("active", None))
}

/// `active` narrows only: a person whose `active` was removed (unassigned) has the column
/// `true` but matches neither `active eq true` nor `active eq false`.
fn active(op: CompareOp, value: &CompValue) -> Option<UserPredicate> {
    match (op, value) {
        (CompareOp::Eq, CompValue::Bool(b)) => Some(UserPredicate::Active(*b)),
        (CompareOp::Ne, CompValue::Bool(b)) => Some(UserPredicate::Active(!*b)),
        _ => None,
    }
}

fn present(path: &AttrPath) -> Option<UserPredicate> {
    match attribute(path)? {
        ("userName" | "id", None) => Some(UserPredicate::Everyone),
        ("externalId", None) => Some(UserPredicate::Present(UserColumn::ExternalId)),
        ("emails", None | Some("value")) => Some(UserPredicate::Present(UserColumn::Email)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(filter: &str) -> Plan {
        plan(Some(&Filter::parse(filter).expect("parses")))
    }

    #[test]
    fn identity_provider_lookups_are_exact() {
        for filter in [
            "userName eq \"Ada@Acme.example\"",
            "externalId eq \"00u1\"",
            "emails.value eq \"a@b\"",
            "emails eq \"a@b\"",
            "id eq \"not-a-uuid\"",
            "USERNAME Eq \"x\" or externalId eq \"y\"",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"a\"",
        ] {
            let p = planned(filter);
            assert!(p.exact && p.predicate.is_some(), "{filter}: {p:?}");
        }
        assert_eq!(
            planned("userName eq \"Ada\"").predicate,
            Some(UserPredicate::Eq(UserColumn::UserName, "Ada".into())),
            "the store compares case-insensitively"
        );
    }

    #[test]
    fn what_cannot_be_pushed_down_is_left_to_the_evaluator() {
        for filter in [
            "displayName eq \"x\"",
            "not (userName eq \"x\")",
            "emails[type eq \"work\"]",
            "userName gt \"a\"",
            "userName eq \"x\" or title eq \"y\"",
        ] {
            let p = planned(filter);
            assert!(!p.exact && p.predicate.is_none(), "{filter}: {p:?}");
        }
        let narrowed = planned("userName eq \"x\" and title eq \"y\"");
        assert!(
            !narrowed.exact && narrowed.predicate.is_some(),
            "an and narrows by its pushed-down side"
        );
    }
}
