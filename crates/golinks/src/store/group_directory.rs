//! Groups as the directory shows them: the list with member counts, one group by name.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{GroupRecord, Store, StoreError, StoreResult, on_pool};
use crate::domain::OrgId;

/// A group in the list: its name, how many members, when it last changed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupSummary {
    pub id: Uuid,
    pub display_name: String,
    pub members: i64,
    /// Every SCIM write that changes the group or its members moves this (and its version).
    pub updated_at: OffsetDateTime,
}

impl Store {
    /// The organization's groups (not deleted), by name.
    pub async fn group_summaries(&self, org: OrgId) -> StoreResult<Vec<GroupSummary>> {
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT g.id, g.display_name, g.updated_at,
                     (SELECT COUNT(*) FROM group_members m
                      WHERE m.org_id = g.org_id AND m.group_id = g.id) AS members
                 FROM groups g WHERE g.org_id = $1 AND g.deleted_at IS NULL
                 ORDER BY g.display_name_key",
            )
            .bind(org.as_uuid())
            .fetch_all(p)
            .await?
        }))
    }

    /// The group (not deleted) named `name`, compared as SCIM compares displayName
    /// (caseExact false, RFC 7643 §4.2).
    pub async fn group_by_name(&self, org: OrgId, name: &str) -> StoreResult<GroupRecord> {
        let id: Option<Uuid> = on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT id FROM groups
                 WHERE org_id = $1 AND display_name_key = $2 AND deleted_at IS NULL",
            )
            .bind(org.as_uuid())
            .bind(scim::fold_case(name).into_owned())
            .fetch_optional(p)
            .await?
        });
        self.get_scim_group(org, id.ok_or(StoreError::NotFound)?)
            .await
    }
}
