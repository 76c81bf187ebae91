//! The membership part of a group write, for the provisioning log: whom the write really
//! added or removed (adding a present member or removing an absent one changes nothing, see
//! `groups`), as the store's write reports it from the rows it changed, and their names (one
//! read of a few names).

use uuid::Uuid;

use super::log_summary::{self, Change, MAX_MEMBERS, Membership, Named};
use crate::domain::OrgId;
use crate::store::{GroupRecord, MemberDelta, Store};

/// What a PUT or PATCH did to `before`, now `after`, its members changed by `delta`.
pub async fn changed(
    store: &Store,
    org: OrgId,
    (before, after): (&GroupRecord, &GroupRecord),
    delta: &MemberDelta,
) -> Change {
    let membership = if after.version == before.version {
        // Nothing was written: an idempotent request.
        Membership::default()
    } else {
        membership(store, org, delta).await
    };
    log_summary::group_changed(before, after, &membership)
}

/// What a POST did: a new group with these members.
pub async fn created(
    store: &Store,
    org: OrgId,
    group: &GroupRecord,
    delta: &MemberDelta,
) -> Change {
    let membership = membership(store, org, delta).await;
    log_summary::group_created(group, &membership)
}

async fn membership(store: &Store, org: OrgId, delta: &MemberDelta) -> Membership {
    Membership {
        added: delta.added.len(),
        removed: delta.removed.len(),
        added_named: named(store, org, &delta.added).await,
        removed_named: named(store, org, &delta.removed).await,
    }
}

/// The first [`MAX_MEMBERS`] people by name; by id alone if the names cannot be read (the
/// write is done by then: the log must not fail it).
async fn named(store: &Store, org: OrgId, ids: &[Uuid]) -> Named {
    let ids = &ids[..ids.len().min(MAX_MEMBERS)];
    match store.name_parts(org, ids).await {
        Ok(people) => people
            .iter()
            .map(|p| (p.id, log_summary::name_of(p)))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the names of group members for the log");
            ids.iter().map(|id| (*id, id.to_string())).collect()
        }
    }
}
