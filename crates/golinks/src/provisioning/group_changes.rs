//! The membership part of a group write, for the provisioning log: who was a member before
//! the write, and so whom it really added or removed (adding a present member or removing an
//! absent one changes nothing, see `groups`). Costs one read of the members a request names
//! (all of them for a PUT, which the write reads anyway) and one of a few names.
//! The members are read just before the write's transaction, not inside it: a concurrent
//! membership change to the same group in between can make the counts of the log line off by
//! that change (the group itself is written correctly either way); the log is an account for
//! an admin, and this keeps the store's group writes as the groups code made them.

use std::collections::HashSet;

use scim::ScimError;
use uuid::Uuid;

use super::log_summary::{self, Change, MAX_MEMBERS, Membership, Named};
use super::store_error;
use crate::domain::OrgId;
use crate::store::{GroupRecord, MemberChange, Store};

/// The members of `group`, among those `change` names, before it is applied.
pub async fn members_before(
    store: &Store,
    org: OrgId,
    group: Uuid,
    change: &MemberChange,
) -> Result<Vec<Uuid>, ScimError> {
    let among: Vec<Uuid> = match change {
        MemberChange::Keep => return Ok(Vec::new()),
        MemberChange::Replace(_) => {
            return store
                .group_member_ids(org, group, None)
                .await
                .map_err(store_error);
        }
        MemberChange::Edit { add, remove } => add.iter().chain(remove).copied().collect(),
    };
    store
        .group_member_ids(org, group, Some(&among))
        .await
        .map_err(store_error)
}

/// What a PUT or PATCH did to `before`, now `after`.
pub async fn changed(
    store: &Store,
    org: OrgId,
    (before, after): (&GroupRecord, &GroupRecord),
    change: &MemberChange,
    members_before: &[Uuid],
) -> Change {
    let membership = if after.version == before.version {
        // Nothing was written: an idempotent request.
        Membership::default()
    } else {
        membership(store, org, change, members_before).await
    };
    log_summary::group_changed(before, after, &membership)
}

/// What a POST did: a new group with these members.
pub async fn created(store: &Store, org: OrgId, group: &GroupRecord, members: &[Uuid]) -> Change {
    let membership = membership(store, org, &MemberChange::Replace(members.to_vec()), &[]).await;
    log_summary::group_created(group, &membership)
}

async fn membership(
    store: &Store,
    org: OrgId,
    change: &MemberChange,
    before: &[Uuid],
) -> Membership {
    let was: HashSet<&Uuid> = before.iter().collect();
    let (added, removed): (Vec<Uuid>, Vec<Uuid>) = match change {
        MemberChange::Keep => (Vec::new(), Vec::new()),
        MemberChange::Replace(ids) => {
            let now: HashSet<&Uuid> = ids.iter().collect();
            (
                ids.iter().filter(|id| !was.contains(id)).copied().collect(),
                before
                    .iter()
                    .filter(|id| !now.contains(id))
                    .copied()
                    .collect(),
            )
        }
        MemberChange::Edit { add, remove } => (
            add.iter().filter(|id| !was.contains(id)).copied().collect(),
            remove
                .iter()
                .filter(|id| was.contains(id))
                .copied()
                .collect(),
        ),
    };
    Membership {
        added: added.len(),
        removed: removed.len(),
        added_named: named(store, org, &added).await,
        removed_named: named(store, org, &removed).await,
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
