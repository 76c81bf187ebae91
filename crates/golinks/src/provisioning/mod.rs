//! What SCIM requests do to people (RFC 7644 §3.3 create, §3.4.1 read, §3.5.1 replace,
//! §3.5.2 modify, §3.6 delete), between the HTTP handlers and the store. The `scim` crate
//! decides what a body or a PATCH means; this module reads, writes and keeps the derived
//! columns in step.

pub mod columns;
mod group_changes;
pub mod group_list;
mod group_patch;
mod group_pushdown;
pub mod group_representation;
pub mod groups;
pub mod list;
pub mod log_summary;
pub mod pushdown;
pub mod representation;
pub mod token_health;

use scim::{ScimError, USER};
use serde_json::Value;
use uuid::Uuid;

pub use list::{ListParams, list};
use representation::EtagMatch;

use crate::domain::{OrgId, UserId};
use crate::store::{LogEntry, Store, StoreError, UserRecord};

/// How often a PATCH or PUT without `If-Match` re-reads and retries when another write to the
/// same person lands between its read and its write.
pub(crate) const RETRIES: usize = 5;

pub fn store_error(e: StoreError) -> ScimError {
    match e {
        StoreError::NotFound => not_found(),
        StoreError::Conflict { what } => ScimError::uniqueness(what),
        StoreError::UnknownMember(id) => {
            ScimError::invalid_value(format!("member {id} is not a User of this organization"))
        }
        StoreError::Other(e) => {
            tracing::error!(error = %e, "SCIM request failed in the store");
            ScimError::internal()
        }
    }
}

fn not_found() -> ScimError {
    ScimError::not_found("no such User")
}

fn parse_id(raw: &str) -> Result<UserId, ScimError> {
    raw.parse().map_err(|_| not_found())
}

/// A normalized body without what golinks must not keep: people sign in through their
/// identity provider, so a `password` an IdP sends along (Okta does) is dropped, never stored.
fn storable(body: &Value) -> Result<Value, ScimError> {
    let mut resource = scim::normalize(body, &USER)?;
    if let Some(object) = resource.as_object_mut() {
        object.retain(|k, _| !k.eq_ignore_ascii_case("password"));
    }
    Ok(resource)
}

/// RFC 7644 §3.3: a new person from a POST body.
/// RFC 7644 §3.3: creates the person. The provisioning log's row for the create (`log` builds
/// it from the new person's id, userName and the change) is written in the same transaction:
/// one commit per create instead of two, and never a person without their log row.
pub async fn create(
    store: &Store,
    org: OrgId,
    body: &Value,
    log: impl FnOnce(Uuid, &str, &log_summary::Change) -> LogEntry,
) -> Result<Written, ScimError> {
    let resource = storable(body)?;
    let cols = columns::of(&resource);
    let id = UserId::new();
    let change = log_summary::user_created(id.as_uuid(), &cols);
    let entry = log(id.as_uuid(), &cols.user_name, &change);
    let user = store
        .insert_scim_user(org, id, &cols, &resource, Some(&entry))
        .await
        .map_err(store_error)?;
    Ok((user, change))
}

pub async fn get(store: &Store, org: OrgId, id: &str) -> Result<UserRecord, ScimError> {
    store
        .get_scim_user(org, parse_id(id)?)
        .await
        .map_err(store_error)
}

/// A PUT body may repeat the resource's `id` but not name another one (RFC 7644 §3.5.1:
/// `id` is read-only; a client cannot move a resource).
pub(crate) fn same_id(body: &Value, id: &str) -> Result<(), ScimError> {
    match body.get("id").and_then(Value::as_str) {
        Some(body_id) if body_id != id => Err(ScimError::mutability(format!(
            "the body's id {body_id:?} is not this resource's id"
        ))),
        _ => Ok(()),
    }
}

/// A person as written, with what the write changed (for the provisioning log).
pub type Written = (UserRecord, log_summary::Change);

/// RFC 7644 §3.5.1: replaces everything the client may write; read-only attributes in the
/// body are ignored, an `id` naming another resource is refused.
pub async fn replace(
    store: &Store,
    org: OrgId,
    id: &str,
    body: &Value,
    if_match: Option<EtagMatch>,
) -> Result<Written, ScimError> {
    same_id(body, id)?;
    let resource = storable(body)?;
    let (before, after) = write(store, org, id, if_match, |_| Ok(resource.clone())).await?;
    let change = log_summary::user_changed(&before, &after);
    Ok((after, change))
}

/// RFC 7644 §3.5.2: applies a PatchOp request entirely or not at all.
pub async fn patch(
    store: &Store,
    org: OrgId,
    id: &str,
    body: &Value,
    if_match: Option<EtagMatch>,
) -> Result<Written, ScimError> {
    let request = scim::parse_patch(body)?;
    let (before, after) = write(store, org, id, if_match, |current| {
        storable(&scim::apply_patch(current, &request, &USER)?)
    })
    .await?;
    let change = log_summary::user_changed(&before, &after);
    Ok((after, change))
}

/// Reads the person, computes the new resource from the current one, and writes it if
/// nobody changed the person meanwhile (else reads again, unless `If-Match` pinned a version).
/// Answers the person before and after.
async fn write(
    store: &Store,
    org: OrgId,
    id: &str,
    if_match: Option<EtagMatch>,
    change: impl Fn(&Value) -> Result<Value, ScimError>,
) -> Result<(UserRecord, UserRecord), ScimError> {
    let user_id = parse_id(id)?;
    for _ in 0..RETRIES {
        let current = store
            .get_scim_user(org, user_id)
            .await
            .map_err(store_error)?;
        if if_match.is_some_and(|m| !m.matches(current.version)) {
            return Err(precondition_failed());
        }
        let resource = change(&representation::resource(&current, ""))?;
        let cols = columns::of(&resource);
        match store
            .update_scim_user(org, user_id, current.version, &cols, &resource)
            .await
        {
            Ok(Some(updated)) => return Ok((current, updated)),
            Ok(None) if if_match.is_some() => return Err(precondition_failed()),
            Ok(None) => continue,
            Err(e) => return Err(store_error(e)),
        }
    }
    Err(ScimError::conflict(
        "the User kept changing while this request was applied; try again",
    ))
}

fn precondition_failed() -> ScimError {
    ScimError::precondition_failed("the User's version is not the one in If-Match")
}

/// An admin (CLI now, web UI later) activates or deactivates a person: the same change an
/// identity provider makes with `active`, so SCIM shows it and an import sees it.
pub async fn set_active(
    store: &Store,
    org: OrgId,
    id: UserId,
    active: bool,
) -> Result<UserRecord, ScimError> {
    write(store, org, &id.to_string(), None, |current| {
        let mut resource = current.clone();
        if let Some(object) = resource.as_object_mut() {
            object.insert("active".into(), Value::Bool(active));
        }
        storable(&resource)
    })
    .await
    .map(|(_, after)| after)
}

/// RFC 7644 §3.6: the person is gone from SCIM (404 afterwards); their links stay.
pub async fn delete(
    store: &Store,
    org: OrgId,
    id: &str,
    if_match: Option<EtagMatch>,
) -> Result<UserRecord, ScimError> {
    let current = get(store, org, id).await?;
    if if_match.is_some_and(|m| !m.matches(current.version)) {
        return Err(precondition_failed());
    }
    let expected = if_match.map(|_| current.version);
    match store
        .tombstone_scim_user(org, UserId::from_uuid(current.id), expected)
        .await
    {
        Err(StoreError::NotFound) if expected.is_some() => Err(precondition_failed()),
        other => other.map(|()| current).map_err(store_error),
    }
}
