//! SCIM filter → SQL, for what maps to an indexed column. The `scim` crate's evaluator is the
//! meaning of a filter; this only narrows the rows it looks at. A plan is *exact* when the SQL
//! selects precisely the matching rows (then paging and counting happen in SQL); otherwise
//! the rows it selects are a superset and the evaluator decides.
//!
//! Pushed down exactly: `userName` (`eq ne co sw ew pr`, case-insensitive as RFC 7643 §4.1.1
//! says), `externalId` and `id` (`eq ne pr`, case-exact),
//! `emails.value` (`eq co sw ew pr`, case-insensitive), and `and` / `or` of those. An `and`
//! with one side that can't be pushed down narrows by the other side. Everything else (`not`,
//! value filters, other attributes, ordering comparisons, whose collation differs between
//! the backends) is left to the evaluator.

use scim::{AttrPath, CompValue, CompareOp, Filter, USER, USER_URN, fold_case};
use uuid::Uuid;

use crate::store::{SqlFilter, SqlValue};

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sql: Option<SqlFilter>,
    pub exact: bool,
}

pub fn plan(filter: Option<&Filter>) -> Plan {
    match filter {
        None => Plan {
            sql: None,
            exact: true,
        },
        Some(f) => match translate(&f.normalized(&USER)) {
            Some((sql, exact)) => Plan {
                sql: Some(sql),
                exact,
            },
            None => Plan {
                sql: None,
                exact: false,
            },
        },
    }
}

fn translate(filter: &Filter) -> Option<(SqlFilter, bool)> {
    match filter {
        Filter::Compare { path, op, value } if is_active(path) => {
            active(*op, value).map(|f| (f, false))
        }
        Filter::Compare { path, op, value } => compare(path, *op, value).map(|f| (f, true)),
        Filter::Present(path) => present(path).map(|f| (f, true)),
        Filter::And(a, b) => match (translate(a), translate(b)) {
            (Some((a, ea)), Some((b, eb))) => Some((join(a, "AND", b), ea && eb)),
            (Some((one, _)), None) | (None, Some((one, _))) => Some((one, false)),
            (None, None) => None,
        },
        Filter::Or(a, b) => match (translate(a), translate(b)) {
            (Some((a, true)), Some((b, true))) => Some((join(a, "OR", b), true)),
            _ => None,
        },
        Filter::Not(_) | Filter::ValuePath(_) => None,
    }
}

fn join(a: SqlFilter, op: &str, b: SqlFilter) -> SqlFilter {
    let mut binds = a.binds;
    binds.extend(b.binds);
    SqlFilter {
        clause: format!("({}) {op} ({})", a.clause, b.clause),
        binds,
    }
}

fn sql(clause: &str, binds: Vec<SqlValue>) -> SqlFilter {
    SqlFilter {
        clause: clause.to_owned(),
        binds,
    }
}

/// The attribute a path names, if it is a core User attribute we index.
fn column(path: &AttrPath) -> Option<(&str, Option<&str>)> {
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(USER_URN))
    {
        return None;
    }
    Some((path.attr.as_str(), path.sub_attr.as_deref()))
}

/// People with a matching email: an uncorrelated subquery, so that it is one index look-up on
/// `user_emails` rather than a probe per person (`$1` is the organization).
const EMAIL_EXISTS: &str =
    "u.id IN (SELECT e.user_id FROM user_emails e WHERE e.org_id = $1 AND e.value_key";

fn compare(path: &AttrPath, op: CompareOp, value: &CompValue) -> Option<SqlFilter> {
    use CompareOp::{Co, Eq, Ew, Ne, Sw};
    let text = |s: &str| SqlValue::Text(s.to_owned());
    match (column(path)?, op, value) {
        (("userName", None), Eq, CompValue::String(s)) => {
            Some(sql("u.user_name_key = ?", vec![text(&fold_case(s))]))
        }
        (("userName", None), Ne, CompValue::String(s)) => {
            Some(sql("u.user_name_key <> ?", vec![text(&fold_case(s))]))
        }
        (("userName", None), Co | Sw | Ew, CompValue::String(s)) => Some(sql(
            "u.user_name_key LIKE ? ESCAPE '\\'",
            vec![text(&like(&fold_case(s), op))],
        )),
        (("externalId", None), Eq, CompValue::String(s)) => {
            Some(sql("u.external_id = ?", vec![text(s)]))
        }
        (("externalId", None), Ne, CompValue::String(s)) => {
            Some(sql("u.external_id <> ?", vec![text(s)]))
        }
        (("id", None), Eq | Ne, CompValue::String(s)) => Some(match Uuid::parse_str(s) {
            Ok(id) if op == Eq => sql("u.id = ?", vec![SqlValue::Uuid(id)]),
            Ok(id) => sql("u.id <> ?", vec![SqlValue::Uuid(id)]),
            Err(_) if op == Eq => sql("1 = 0", vec![]),
            Err(_) => sql("1 = 1", vec![]),
        }),

        (("emails", None | Some("value")), Eq, CompValue::String(s)) => Some(sql(
            &format!("{EMAIL_EXISTS} = ?)"),
            vec![text(&fold_case(s))],
        )),
        (("emails", None | Some("value")), Co | Sw | Ew, CompValue::String(s)) => Some(sql(
            &format!("{EMAIL_EXISTS} LIKE ? ESCAPE '\\')"),
            vec![text(&like(&fold_case(s), op))],
        )),
        _ => None,
    }
}

fn is_active(path: &AttrPath) -> bool {
    column(path).is_some_and(|c| c == ("active", None))
}

/// `active` narrows only: a person whose `active` was removed (unassigned) has the column
/// `true` but matches neither `active eq true` nor `active eq false`.
fn active(op: CompareOp, value: &CompValue) -> Option<SqlFilter> {
    match (op, value) {
        (CompareOp::Eq, CompValue::Bool(b)) => Some(sql("u.active = ?", vec![SqlValue::Bool(*b)])),
        (CompareOp::Ne, CompValue::Bool(b)) => Some(sql("u.active <> ?", vec![SqlValue::Bool(*b)])),
        _ => None,
    }
}

fn present(path: &AttrPath) -> Option<SqlFilter> {
    match column(path)? {
        ("userName" | "id", None) => Some(sql("1 = 1", vec![])),
        ("externalId", None) => Some(sql("u.external_id IS NOT NULL", vec![])),
        ("emails", None | Some("value")) => {
            Some(sql(&format!("{EMAIL_EXISTS} IS NOT NULL)"), vec![]))
        }
        _ => None,
    }
}

/// A LIKE pattern for `co`, `sw` or `ew` with LIKE's own wildcards escaped.
fn like(value: &str, op: CompareOp) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    match op {
        CompareOp::Sw => format!("{escaped}%"),
        CompareOp::Ew => format!("%{escaped}"),
        _ => format!("%{escaped}%"),
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
            assert!(p.exact && p.sql.is_some(), "{filter}: {p:?}");
        }
        assert_eq!(
            planned("userName eq \"Ada\"").sql.map(|s| s.binds),
            Some(vec![SqlValue::Text("ada".into())])
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
            assert!(!p.exact && p.sql.is_none(), "{filter}: {p:?}");
        }
        let narrowed = planned("userName eq \"x\" and title eq \"y\"");
        assert!(
            !narrowed.exact && narrowed.sql.is_some(),
            "an and narrows by its pushed-down side"
        );
    }

    #[test]
    fn like_wildcards_in_values_are_literal() {
        assert_eq!(like("a%b_c\\", CompareOp::Sw), "a\\%b\\_c\\\\%");
    }
}
