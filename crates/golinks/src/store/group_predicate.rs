//! Conditions on groups, as `provisioning::group_pushdown` builds them from a SCIM filter,
//! rendered to SQL over `groups g` here with bound values (as `user_predicate` does for people),
//! and the orders a list of groups can be sorted in (`sortBy`).

use sqlx::{Database, Encode, QueryBuilder, Type};
use uuid::Uuid;

use super::like::{self, Place};

/// How a `displayName` is compared: case-insensitively (RFC 7643 §4.2 leaves `caseExact`
/// false), on the case-folded column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    Equals,
    NotEquals,
    StartsWith,
    EndsWith,
    Contains,
}

/// A condition on a group (not deleted) of the organization being listed.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupPredicate {
    Everyone,
    Nobody,
    DisplayName(TextMatch, String),
    /// Case-exact (RFC 7643 §3.1).
    ExternalIdEq(String),
    /// Has an externalId, and not this one.
    ExternalIdNe(String),
    ExternalIdPresent,
    IdEq(Uuid),
    IdNe(Uuid),
    /// The person is a member (`members.value eq "…"`): one look-up on the membership index.
    HasMember(Uuid),
    And(Box<GroupPredicate>, Box<GroupPredicate>),
    Or(Box<GroupPredicate>, Box<GroupPredicate>),
}

impl GroupPredicate {
    pub fn and(a: GroupPredicate, b: GroupPredicate) -> Self {
        Self::And(Box::new(a), Box::new(b))
    }

    pub fn or(a: GroupPredicate, b: GroupPredicate) -> Self {
        Self::Or(Box::new(a), Box::new(b))
    }
}

/// Appends `predicate` over `groups g` of organization `org` to `qb`, every value bound.
pub(super) fn push<DB>(qb: &mut QueryBuilder<DB>, predicate: &GroupPredicate, org: Uuid)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
{
    use GroupPredicate as P;
    match predicate {
        P::Everyone => {
            qb.push("1 = 1");
        }
        P::Nobody => {
            qb.push("1 = 0");
        }
        P::DisplayName(how, value) => {
            let folded = scim::fold_case(value).into_owned();
            let (op, bound) = match how {
                TextMatch::Equals => (" = ", folded),
                TextMatch::NotEquals => (" <> ", folded),
                TextMatch::StartsWith => (" LIKE ", like::pattern(&folded, Place::Start)),
                TextMatch::EndsWith => (" LIKE ", like::pattern(&folded, Place::End)),
                TextMatch::Contains => (" LIKE ", like::pattern(&folded, Place::Anywhere)),
            };
            qb.push("g.display_name_key").push(op).push_bind(bound);
            if op == " LIKE " {
                qb.push(like::ESCAPE);
            }
        }
        P::ExternalIdEq(value) => {
            qb.push("g.external_id = ").push_bind(value.clone());
        }
        P::ExternalIdNe(value) => {
            qb.push("g.external_id <> ").push_bind(value.clone());
        }
        P::ExternalIdPresent => {
            qb.push("g.external_id IS NOT NULL");
        }
        P::IdEq(id) => {
            qb.push("g.id = ").push_bind(*id);
        }
        P::IdNe(id) => {
            qb.push("g.id <> ").push_bind(*id);
        }
        P::HasMember(user) => {
            qb.push("g.id IN (SELECT m.group_id FROM group_members m WHERE m.org_id = ")
                .push_bind(org)
                .push(" AND m.user_id = ")
                .push_bind(*user)
                .push(")");
        }
        P::And(a, b) | P::Or(a, b) => {
            let op = if matches!(predicate, P::And(..)) {
                " AND "
            } else {
                " OR "
            };
            qb.push("(");
            push(qb, a, org);
            qb.push(")").push(op).push("(");
            push(qb, b, org);
            qb.push(")");
        }
    }
}

/// How a page of groups is ordered (always ending with the id, for a stable order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOrder {
    Id,
    DisplayName,
    ExternalId,
    Created,
    LastModified,
}

impl GroupOrder {
    /// The `ORDER BY` list. displayName sorts by its case-folded key (caseExact false) and
    /// externalId as sent (caseExact true), both by code point (`COLLATE "C"` on PostgreSQL,
    /// SQLite's default), so the order needs no locale and is the same on both backends (RFC
    /// 7644 §3.4.2.3). Groups without an externalId come last either way, as resources
    /// without the attribute do in an in-memory sort.
    pub(super) fn order_by(self, descending: bool, postgres: bool) -> String {
        let direction = if descending { "DESC" } else { "ASC" };
        let collate = if postgres { " COLLATE \"C\"" } else { "" };
        let key = match self {
            GroupOrder::Id => return format!("g.id {direction}"),
            GroupOrder::DisplayName => format!("g.display_name_key{collate} {direction}"),
            GroupOrder::ExternalId => {
                format!("(g.external_id IS NULL), g.external_id{collate} {direction}")
            }
            GroupOrder::Created => format!("g.created_at {direction}"),
            GroupOrder::LastModified => format!("g.updated_at {direction}"),
        };
        format!("{key}, g.id {direction}")
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Sqlite;

    use super::*;
    use GroupPredicate as P;

    #[test]
    fn values_are_bound_and_members_are_an_index_look_up() {
        let mut qb = QueryBuilder::<Sqlite>::new("");
        let p = P::and(
            P::DisplayName(TextMatch::StartsWith, "E%".into()),
            P::HasMember(Uuid::nil()),
        );
        push(&mut qb, &p, Uuid::nil());
        assert_eq!(
            qb.sql().as_str(),
            "(g.display_name_key LIKE ? ESCAPE '\\') AND (g.id IN (SELECT m.group_id FROM \
             group_members m WHERE m.org_id = ? AND m.user_id = ?))"
        );
    }
}
