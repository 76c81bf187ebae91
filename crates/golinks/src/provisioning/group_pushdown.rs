//! SCIM filter on Groups → a store predicate ([`GroupPredicate`]), as `pushdown` does for
//! people. Pushed down exactly: `displayName` (`eq ne co sw ew`, case-insensitive),
//! `externalId` (`eq ne pr`, case-exact), `id` (`eq ne`), `members.value eq` / `members eq`
//! (the membership index), and `and`/`or` of those. Anything else narrows nothing and is
//! left to the evaluator, which sees the whole resource.

use scim::{AttrPath, CompValue, CompareOp, Filter, GROUP, GROUP_URN};
use uuid::Uuid;

use super::pushdown;
use crate::store::{GroupPredicate, TextMatch};

pub type Plan = pushdown::Plan<GroupPredicate>;

pub fn plan(filter: Option<&Filter>) -> Plan {
    pushdown::plan_with(filter, &GROUP, translate)
}

fn translate(filter: &Filter) -> Option<(GroupPredicate, bool)> {
    match filter {
        Filter::Compare { path, op, value } => compare(path, *op, value).map(|p| (p, true)),
        Filter::Present(path) => match attribute(path)? {
            ("externalId", None) => Some((GroupPredicate::ExternalIdPresent, true)),
            ("displayName" | "id", None) => Some((GroupPredicate::Everyone, true)),
            _ => None,
        },
        Filter::And(..) | Filter::Or(..) => {
            pushdown::logical(filter, translate, GroupPredicate::and, GroupPredicate::or)
        }
        Filter::Not(_) | Filter::ValuePath(_) => None,
    }
}

fn attribute(path: &AttrPath) -> Option<(&str, Option<&str>)> {
    pushdown::core_attribute(path, GROUP_URN)
}

fn compare(path: &AttrPath, op: CompareOp, value: &CompValue) -> Option<GroupPredicate> {
    use CompareOp::{Co, Eq, Ew, Ne, Sw};
    let CompValue::String(s) = value else {
        return None;
    };
    let s = s.clone();
    Some(match (attribute(path)?, op) {
        (("displayName", None), Eq) => GroupPredicate::DisplayName(TextMatch::Equals, s),
        (("displayName", None), Ne) => GroupPredicate::DisplayName(TextMatch::NotEquals, s),
        (("displayName", None), Sw) => GroupPredicate::DisplayName(TextMatch::StartsWith, s),
        (("displayName", None), Ew) => GroupPredicate::DisplayName(TextMatch::EndsWith, s),
        (("displayName", None), Co) => GroupPredicate::DisplayName(TextMatch::Contains, s),
        (("externalId", None), Eq) => GroupPredicate::ExternalIdEq(s),
        (("externalId", None), Ne) => GroupPredicate::ExternalIdNe(s),
        // Ids are UUIDs: anything else is no group's, and no member's.
        (("id", None), Eq) => {
            Uuid::parse_str(&s).map_or(GroupPredicate::Nobody, GroupPredicate::IdEq)
        }
        (("id", None), Ne) => {
            Uuid::parse_str(&s).map_or(GroupPredicate::Everyone, GroupPredicate::IdNe)
        }
        (("members", None | Some("value")), Eq) => {
            Uuid::parse_str(&s).map_or(GroupPredicate::Nobody, GroupPredicate::HasMember)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(filter: &str) -> Plan {
        plan(Some(&Filter::parse(filter).expect("parses")))
    }

    #[test]
    fn identity_provider_lookups_are_exact() {
        let id = Uuid::new_v4();
        for filter in [
            "displayName eq \"Engineering\"".to_owned(),
            "externalId eq \"00g1\"".to_owned(),
            format!("members.value eq \"{id}\""),
            format!("id eq \"{id}\" or displayName sw \"E\""),
        ] {
            let p = planned(&filter);
            assert!(p.exact && p.predicate.is_some(), "{filter}: {p:?}");
        }
        assert_eq!(
            planned(&format!("members.value eq \"{id}\"")).predicate,
            Some(GroupPredicate::HasMember(id))
        );
    }

    #[test]
    fn the_rest_is_left_to_the_evaluator() {
        for filter in [
            "members.display eq \"Ada\"",
            "not (displayName eq \"x\")",
            "meta.created gt \"2020-01-01T00:00:00Z\"",
        ] {
            let p = planned(filter);
            assert!(!p.exact && p.predicate.is_none(), "{filter}: {p:?}");
        }
    }
}
