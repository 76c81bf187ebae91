//! What a SCIM request did, in words and as data, for the provisioning log: "Deactivated Dana
//! Quist (active true → false)", "Renamed Finance to Finance EMEA", "Added 3 members to
//! Finance". Computed once, when the request is logged, from the records before and after the
//! write, so that reading the log derives nothing. The data (`changes`) is bounded: at most
//! [`MAX_ATTRIBUTES`] attributes, values cut at [`MAX_VALUE`] characters, at most
//! [`MAX_MEMBERS`] members named per direction (the counts are always exact).

use serde_json::{Value, json};
use uuid::Uuid;

use crate::store::{GroupRecord, NameParts, UserRecord};

pub const MAX_ATTRIBUTES: usize = 20;
pub const MAX_VALUE: usize = 120;
pub const MAX_MEMBERS: usize = 20;

/// One log line's summary and its detail document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub summary: String,
    pub changes: Value,
}

/// How a person is named in the log: their display name, else given and family name, else
/// their userName.
pub fn person_name(user: &UserRecord) -> String {
    name_of(&NameParts {
        id: user.id,
        display_name: user.display_name.clone(),
        given_name: user.given_name.clone(),
        family_name: user.family_name.clone(),
        user_name: user.user_name.clone(),
    })
}

pub fn name_of(person: &NameParts) -> String {
    if let Some(name) = person
        .display_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        return name.to_owned();
    }
    let parts: Vec<&str> = [person.given_name.as_deref(), person.family_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        person.user_name.clone()
    } else {
        parts.join(" ")
    }
}

/// The attributes an admin reads, as (name, value) in a fixed order.
fn user_attributes(user: &UserRecord) -> Vec<(&'static str, Value)> {
    let text = |v: &Option<String>| v.as_ref().map_or(Value::Null, |s| Value::from(s.as_str()));
    vec![
        ("userName", Value::from(user.user_name.as_str())),
        ("displayName", text(&user.display_name)),
        ("name.givenName", text(&user.given_name)),
        ("name.familyName", text(&user.family_name)),
        ("emails", text(&user.email)),
        ("active", Value::Bool(user.active)),
        ("title", text(&user.title)),
        ("department", text(&user.department)),
        ("externalId", text(&user.external_id)),
    ]
}

/// A value cut to [`MAX_VALUE`] characters, so that one long attribute cannot grow a row.
fn capped(value: Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > MAX_VALUE => Value::String(format!(
            "{}…",
            s.chars().take(MAX_VALUE).collect::<String>()
        )),
        other => other,
    }
}

fn attribute(name: &str, before: Value, after: Value) -> Value {
    json!({"attribute": name, "before": capped(before), "after": capped(after)})
}

pub fn user_created(user: &UserRecord) -> Change {
    let attributes: Vec<Value> = user_attributes(user)
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(name, v)| attribute(name, Value::Null, v))
        .collect();
    Change {
        summary: format!("Created {}", person_name(user)),
        changes: json!({ "attributes": attributes }),
    }
}

pub fn user_deleted(user: &UserRecord) -> Change {
    Change {
        summary: format!("Deleted {}", person_name(user)),
        changes: json!({ "attributes": [] }),
    }
}

/// A PUT or PATCH of a person: what changed, named by its most telling change.
pub fn user_changed(before: &UserRecord, after: &UserRecord) -> Change {
    let changed: Vec<(&str, Value, Value)> = user_attributes(before)
        .into_iter()
        .zip(user_attributes(after))
        .filter(|((_, b), (_, a))| b != a)
        .map(|((name, b), (_, a))| (name, b, a))
        .take(MAX_ATTRIBUTES)
        .collect();
    let (was, is) = (person_name(before), person_name(after));
    let names: Vec<&str> = changed.iter().map(|(n, _, _)| *n).collect();
    let others = |skip: &[&str]| -> String {
        let rest: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !skip.contains(n))
            .collect();
        if rest.is_empty() {
            String::new()
        } else {
            format!("; also {}", rest.join(", "))
        }
    };
    let summary = if before.active != after.active {
        let verb = if after.active {
            "Reactivated"
        } else {
            "Deactivated"
        };
        format!(
            "{verb} {is} (active {} → {}){}",
            before.active,
            after.active,
            others(&["active"])
        )
    } else if was != is {
        format!(
            "Renamed {was} to {is}{}",
            others(&["displayName", "name.givenName", "name.familyName"])
        )
    } else if changed.is_empty() {
        format!("No change to {is}")
    } else {
        format!("Updated {is}: {}", names.join(", "))
    };
    let attributes: Vec<Value> = changed
        .into_iter()
        .map(|(name, b, a)| attribute(name, b, a))
        .collect();
    Change {
        summary,
        changes: json!({ "attributes": attributes }),
    }
}

/// People named in a membership change: id and name, at most [`MAX_MEMBERS`].
pub type Named = Vec<(Uuid, String)>;

fn members(named: &Named) -> Value {
    Value::Array(
        named
            .iter()
            .take(MAX_MEMBERS)
            .map(|(id, name)| json!({"id": id, "name": capped(Value::from(name.as_str()))}))
            .collect(),
    )
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 member".to_owned()
    } else {
        format!("{n} members")
    }
}

/// The membership part of a group change: (added, removed) counts and who.
#[derive(Debug, Default)]
pub struct Membership {
    pub added: usize,
    pub removed: usize,
    pub added_named: Named,
    pub removed_named: Named,
}

pub fn group_created(group: &GroupRecord, membership: &Membership) -> Change {
    let with = match membership.added {
        0 => String::new(),
        n => format!(" with {}", count(n)),
    };
    Change {
        summary: format!("Created group {}{with}", group.display_name),
        changes: json!({
            "attributes": [attribute("displayName", Value::Null, Value::from(group.display_name.as_str()))],
            "added": membership.added, "added_members": members(&membership.added_named),
        }),
    }
}

pub fn group_deleted(group: &GroupRecord) -> Change {
    Change {
        summary: format!("Deleted group {}", group.display_name),
        changes: json!({ "attributes": [] }),
    }
}

/// A PUT or PATCH of a group: its renaming and membership, in that order.
pub fn group_changed(before: &GroupRecord, after: &GroupRecord, membership: &Membership) -> Change {
    let mut attributes = Vec::new();
    let mut parts = Vec::new();
    if before.display_name != after.display_name {
        parts.push(format!(
            "Renamed {} to {}",
            before.display_name, after.display_name
        ));
        attributes.push(attribute(
            "displayName",
            Value::from(before.display_name.as_str()),
            Value::from(after.display_name.as_str()),
        ));
    }
    if before.external_id != after.external_id {
        attributes.push(attribute(
            "externalId",
            json!(before.external_id),
            json!(after.external_id),
        ));
    }
    let name = &after.display_name;
    if membership.added > 0 {
        parts.push(format!("Added {} to {name}", count(membership.added)));
    }
    if membership.removed > 0 {
        parts.push(format!("Removed {} from {name}", count(membership.removed)));
    }
    if parts.is_empty() {
        parts.push(if attributes.is_empty() {
            format!("No change to group {name}")
        } else {
            format!("Updated group {name}: externalId")
        });
    }
    Change {
        summary: parts.join("; "),
        changes: json!({
            "attributes": attributes,
            "added": membership.added, "added_members": members(&membership.added_named),
            "removed": membership.removed, "removed_members": members(&membership.removed_named),
        }),
    }
}

/// A request that changed nothing because it failed: "Throttled", "Refused: bad token", or
/// "Refused: " and the SCIM error detail (RFC 7644 §3.12) the client was answered.
pub fn failure(status: u16, detail: Option<&str>) -> String {
    match (status, detail) {
        (401, _) => "Refused: bad token".to_owned(),
        (429, _) => "Throttled".to_owned(),
        (s, Some(d)) if s < 500 => format!("Refused: {d}"),
        (s, None) if s < 500 => format!("Refused ({s})"),
        (_, Some(d)) => format!("Failed: {d}"),
        (s, None) => format!("Failed ({s})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_why_in_words() {
        assert_eq!(failure(401, Some("x")), "Refused: bad token");
        assert_eq!(failure(429, None), "Throttled");
        assert_eq!(
            failure(409, Some("userName already taken")),
            "Refused: userName already taken"
        );
        assert_eq!(failure(500, None), "Failed (500)");
    }

    #[test]
    fn long_values_are_cut() {
        let long = "a".repeat(500);
        let cut = capped(Value::from(long));
        assert_eq!(cut.as_str().map(|s| s.chars().count()), Some(MAX_VALUE + 1));
    }
}
