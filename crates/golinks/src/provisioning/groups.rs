//! What SCIM requests do to groups (RFC 7643 §4.2; RFC 7644 §3.3 create, §3.4.1 read, §3.5.1
//! replace, §3.5.2 modify, §3.6 delete), between the HTTP handlers and the store.
//!
//! Decisions, where RFC 7644 leaves them to the provider (documented in docs/okta.md and
//! docs/entra-id.md):
//! - A member is a person of the organization. An id that is not one, or that is a group
//!   (golinks has no nested groups, which RFC 7643 §4.2 allows but does not require), is
//!   refused with 400 `invalidValue` naming the id, and the request changes nothing: the
//!   group and all its memberships are written in one transaction.
//! - Membership changes are idempotent: adding a member again or removing a non-member
//!   succeeds and changes nothing (not even the version).

use scim::{GROUP, ScimError};
use serde_json::Value;
use uuid::Uuid;

use super::group_changes;
use super::group_patch::GroupEdit;
use super::log_summary::Change;
use super::representation::EtagMatch;
use super::{RETRIES, store_error};
use crate::domain::OrgId;
use crate::store::{
    GroupColumns, GroupRecord, MemberChange, OrgSeq, Store, StoreError, UserGroup, UserRecord,
};

fn not_found() -> ScimError {
    ScimError::not_found("no such Group")
}

fn parse_id(raw: &str) -> Result<Uuid, ScimError> {
    Uuid::parse_str(raw).map_err(|_| not_found())
}

fn precondition_failed() -> ScimError {
    ScimError::precondition_failed("the Group's version is not the one in If-Match")
}

/// The people a `members` value names (a list of `{"value": id}`; `display`, `$ref` — which
/// Entra ID sends as `null` — are the server's to fill and ignored). A member of `type`
/// `Group`, or an id that cannot be a person's, is refused naming it.
pub fn member_ids(value: &Value) -> Result<Vec<Uuid>, ScimError> {
    let members: Vec<&Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(list) => list.iter().collect(),
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(ScimError::invalid_value(
                "members is a list of {\"value\": id}",
            ));
        }
    };
    let mut ids = Vec::with_capacity(members.len());
    // A PUT of a 10,000-member group: a set, not a scan of the list per member.
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    for member in members {
        let field = |name: &str| {
            member.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
        };
        let raw = field("value").and_then(Value::as_str).ok_or_else(|| {
            ScimError::invalid_value(format!(
                "a member needs a \"value\", the User's id: {member}"
            ))
        })?;
        if field("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Group"))
        {
            return Err(nested(raw));
        }
        let id = Uuid::parse_str(raw).map_err(|_| unknown(raw))?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn unknown(id: &str) -> ScimError {
    ScimError::invalid_value(format!(
        "member {id:?} is not a User of this organization; nothing was changed"
    ))
}

fn nested(id: &str) -> ScimError {
    ScimError::invalid_value(format!(
        "member {id:?} is a Group; golinks does not support nested groups; nothing was changed"
    ))
}

/// A store error, with a refused member named as a group when it is one.
async fn write_error(store: &Store, org: OrgId, e: StoreError) -> ScimError {
    match e {
        StoreError::UnknownMember(id) => match store.get_scim_group(org, id).await {
            Ok(_) => nested(&id.to_string()),
            Err(_) => unknown(&id.to_string()),
        },
        other => store_error(other),
    }
}

/// The columns and members of a POST or PUT body.
fn from_body(body: &Value) -> Result<(GroupColumns, Vec<Uuid>), ScimError> {
    let resource = scim::normalize(body, &GROUP)?;
    let text = |name: &str| {
        resource
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let display_name = text("displayName")
        .ok_or_else(|| ScimError::invalid_value("displayName is required (RFC 7643 §4.2)"))?;
    let cols = GroupColumns {
        display_name,
        external_id: text("externalId"),
    };
    let members = member_ids(resource.get("members").unwrap_or(&Value::Null))?;
    Ok((cols, members))
}

/// A group as written, with what the write changed (for the provisioning log) and, when its
/// members changed, the organization's change sequence as the write left it.
pub type Written = (GroupRecord, Change, Option<OrgSeq>);

/// RFC 7644 §3.3: a new group, with its members.
pub async fn create(store: &Store, org: OrgId, body: &Value) -> Result<Written, ScimError> {
    let (cols, members) = from_body(body)?;
    match store
        .insert_scim_group(org, &cols, &MemberChange::Replace(members))
        .await
    {
        Ok(written) => {
            let change = group_changes::created(store, org, &written.group, &written.members).await;
            Ok((written.group, change, written.moved))
        }
        Err(e) => Err(write_error(store, org, e).await),
    }
}

pub async fn get(store: &Store, org: OrgId, id: &str) -> Result<GroupRecord, ScimError> {
    store
        .get_scim_group(org, parse_id(id)?)
        .await
        .map_err(store_error)
}

/// RFC 7644 §3.5.1: the name, externalId and the whole membership from the body.
pub async fn replace(
    store: &Store,
    org: OrgId,
    id: &str,
    body: &Value,
    if_match: Option<EtagMatch>,
) -> Result<Written, ScimError> {
    super::same_id(body, id)?;
    let (cols, members) = from_body(body)?;
    let members = MemberChange::Replace(members);
    write(store, org, id, if_match, |_| {
        Ok((cols.clone(), members.clone()))
    })
    .await
}

/// RFC 7644 §3.5.2: every operation or none.
pub async fn patch(
    store: &Store,
    org: OrgId,
    id: &str,
    body: &Value,
    if_match: Option<EtagMatch>,
) -> Result<Written, ScimError> {
    let request = scim::parse_patch(body)?;
    write(store, org, id, if_match, |current| {
        let edit = GroupEdit::of(current.id, &request.ops)?;
        let cols = GroupColumns {
            display_name: edit
                .display_name
                .clone()
                .unwrap_or_else(|| current.display_name.clone()),
            external_id: edit
                .external_id
                .clone()
                .unwrap_or_else(|| current.external_id.clone()),
        };
        Ok((cols, edit.members()))
    })
    .await
}

/// Reads the group, computes the change, and writes it if the group is still at the version
/// read (else reads again, unless `If-Match` pinned a version).
async fn write(
    store: &Store,
    org: OrgId,
    id: &str,
    if_match: Option<EtagMatch>,
    change: impl Fn(&GroupRecord) -> Result<(GroupColumns, MemberChange), ScimError>,
) -> Result<Written, ScimError> {
    let group_id = parse_id(id)?;
    for _ in 0..RETRIES {
        let current = store
            .get_scim_group(org, group_id)
            .await
            .map_err(store_error)?;
        if if_match.is_some_and(|m| !m.matches(current.version)) {
            return Err(precondition_failed());
        }
        let (cols, members) = change(&current)?;
        let same =
            cols.display_name == current.display_name && cols.external_id == current.external_id;
        match store
            .update_scim_group(org, group_id, Some(current.version), &cols, same, &members)
            .await
        {
            Ok(Some(written)) => {
                let pair = (&current, &written.group);
                let change = group_changes::changed(store, org, pair, &written.members).await;
                return Ok((written.group, change, written.moved));
            }
            Ok(None) if if_match.is_some() => return Err(precondition_failed()),
            Ok(None) => continue,
            Err(e) => return Err(write_error(store, org, e).await),
        }
    }
    Err(ScimError::conflict(
        "the Group kept changing while this request was applied; try again",
    ))
}

/// RFC 7644 §3.6: the group and its memberships are gone; the people stay.
pub async fn delete(
    store: &Store,
    org: OrgId,
    id: &str,
    if_match: Option<EtagMatch>,
) -> Result<GroupRecord, ScimError> {
    let current = get(store, org, id).await?;
    if if_match.is_some_and(|m| !m.matches(current.version)) {
        return Err(precondition_failed());
    }
    let expected = if_match.map(|_| current.version);
    match store.delete_scim_group(org, current.id, expected).await {
        Err(StoreError::NotFound) if expected.is_some() => Err(precondition_failed()),
        other => other.map(|()| current).map_err(store_error),
    }
}

/// The `groups` of these people (RFC 7643 §4.1.2: read-only, `direct` here): as read with
/// their records, else in one query for all whose records came without them (a write's).
pub async fn of_users<'a>(
    store: &Store,
    org: OrgId,
    users: impl IntoIterator<Item = &'a UserRecord>,
    base_url: &str,
) -> Result<std::collections::HashMap<Uuid, Vec<Value>>, ScimError> {
    use super::group_representation::user_group;
    let mut by_user: std::collections::HashMap<Uuid, Vec<Value>> = Default::default();
    let mut unread = Vec::new();
    for user in users {
        match user.groups() {
            Some(groups) if groups.is_empty() => {}
            Some(groups) => {
                let shown = groups
                    .into_iter()
                    .map(|(group_id, display_name)| {
                        let g = UserGroup {
                            user_id: user.id,
                            group_id,
                            display_name,
                        };
                        user_group(&g, base_url)
                    })
                    .collect();
                by_user.insert(user.id, shown);
            }
            None => unread.push(user.id),
        }
    }
    if unread.is_empty() {
        return Ok(by_user);
    }
    for g in store
        .scim_user_groups(org, &unread)
        .await
        .map_err(store_error)?
    {
        by_user
            .entry(g.user_id)
            .or_default()
            .push(user_group(&g, base_url));
    }
    Ok(by_user)
}

/// Sets `groups` on a person's resource (left out when they are in none, RFC 7643 §2.5).
pub fn set_groups(resource: &mut Value, groups: Option<Vec<Value>>) {
    if let (Some(object), Some(groups)) = (resource.as_object_mut(), groups) {
        object.insert("groups".into(), Value::Array(groups));
    }
}
