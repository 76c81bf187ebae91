//! What a SCIM request did, in words and as data, for the provisioning log: "Deactivated Dana
//! Quist (active true → false)", "Renamed Finance to Finance EMEA", "Added 3 members to
//! Finance". Computed once, when the request is logged, from the records before and after the
//! write, so that reading the log derives nothing. The data (`changes`) is bounded: at most
//! [`MAX_ATTRIBUTES`] attributes, values cut at [`MAX_VALUE`] characters, at most
//! [`MAX_MEMBERS`] members named per direction (the counts are always exact).

use serde_json::{Value, json};
use uuid::Uuid;

use crate::store::{GroupRecord, NameParts, UserColumns, UserRecord};

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
    Shown::from(user).name()
}

/// A person as the log shows them: a stored record, or the columns of one about to be
/// created (a create's row is written in the create's own transaction).
struct Shown<'a> {
    id: Uuid,
    user_name: &'a str,
    display_name: Option<&'a str>,
    given_name: Option<&'a str>,
    family_name: Option<&'a str>,
    email: Option<&'a str>,
    active: bool,
    title: Option<&'a str>,
    department: Option<&'a str>,
    external_id: Option<&'a str>,
}

impl<'a> From<&'a UserRecord> for Shown<'a> {
    fn from(u: &'a UserRecord) -> Self {
        Shown {
            id: u.id,
            user_name: &u.user_name,
            display_name: u.display_name.as_deref(),
            given_name: u.given_name.as_deref(),
            family_name: u.family_name.as_deref(),
            email: u.email.as_deref(),
            active: u.active,
            title: u.title.as_deref(),
            department: u.department.as_deref(),
            external_id: u.external_id.as_deref(),
        }
    }
}

impl<'a> Shown<'a> {
    fn of_columns(id: Uuid, c: &'a UserColumns) -> Self {
        Shown {
            id,
            user_name: &c.user_name,
            display_name: c.display_name.as_deref(),
            given_name: c.given_name.as_deref(),
            family_name: c.family_name.as_deref(),
            email: c.email.as_deref(),
            active: c.active,
            title: c.title.as_deref(),
            department: c.department.as_deref(),
            external_id: c.external_id.as_deref(),
        }
    }

    fn name(&self) -> String {
        let owned = |v: Option<&str>| v.map(str::to_owned);
        name_of(&NameParts {
            id: self.id,
            display_name: owned(self.display_name),
            given_name: owned(self.given_name),
            family_name: owned(self.family_name),
            user_name: self.user_name.to_owned(),
        })
    }

    /// The attributes an admin reads, as (name, value) in a fixed order.
    fn attributes(&self) -> Vec<(&'static str, Value)> {
        let text = |v: Option<&str>| v.map_or(Value::Null, Value::from);
        vec![
            ("userName", Value::from(self.user_name)),
            ("displayName", text(self.display_name)),
            ("name.givenName", text(self.given_name)),
            ("name.familyName", text(self.family_name)),
            ("emails", text(self.email)),
            ("active", Value::Bool(self.active)),
            ("title", text(self.title)),
            ("department", text(self.department)),
            ("externalId", text(self.external_id)),
        ]
    }
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

/// A person about to be created as `id` with `columns`.
pub fn user_created(id: Uuid, columns: &UserColumns) -> Change {
    let user = Shown::of_columns(id, columns);
    let attributes: Vec<Value> = user
        .attributes()
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(name, v)| attribute(name, Value::Null, v))
        .collect();
    Change {
        summary: format!("Created {}", user.name()),
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
    let changed: Vec<(&str, Value, Value)> = Shown::from(before)
        .attributes()
        .into_iter()
        .zip(Shown::from(after).attributes())
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
