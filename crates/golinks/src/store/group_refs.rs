//! Groups as links use them: a person's groups (read with their session or API token, for
//! `policy`), and a group named by a client (its id or displayName) for a link's owner or
//! its visibility.

use uuid::Uuid;

use super::{GroupRef, Store, StoreError, StoreResult, on_pool};
use crate::domain::{OrgId, UserId};
use crate::metrics::{QueryFamily, time_query};

impl Store {
    /// The live groups `user` is in.
    pub async fn user_group_ids(&self, org: OrgId, user: UserId) -> StoreResult<Vec<Uuid>> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT m.group_id FROM group_members m
                 JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id
                 WHERE m.org_id = $1 AND m.user_id = $2 AND g.deleted_at IS NULL",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .fetch_all(p)
            .await?
        }))
    }

    /// The live group whose id is `id_or_name`, else whose displayName is it (displayName
    /// is caseExact false, RFC 7643 §4.2).
    pub async fn find_group_ref(&self, org: OrgId, id_or_name: &str) -> StoreResult<GroupRef> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let id = id_or_name.trim().parse::<Uuid>().ok();
        let key = scim::fold_case(id_or_name.trim()).into_owned();
        let row: Option<(Uuid, String)> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT id, display_name FROM groups
                 WHERE org_id = $1 AND deleted_at IS NULL
                   AND (id = $2 OR display_name_key = $3)
                 ORDER BY id = $2 DESC LIMIT 1",
            )
            .bind(org.as_uuid())
            .bind(id)
            .bind(&key)
            .fetch_optional(p)
            .await?
        });
        let (id, display_name) = row.ok_or(StoreError::NotFound)?;
        Ok(GroupRef { id, display_name })
    }

    /// The live group whose displayName is `name` (caseExact false, RFC 7643 §4.2): how an
    /// export names a group, portable where ids are not.
    pub async fn find_group_by_display_name(
        &self,
        org: OrgId,
        name: &str,
    ) -> StoreResult<GroupRef> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let key = scim::fold_case(name.trim()).into_owned();
        let row: Option<(Uuid, String)> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT id, display_name FROM groups
                 WHERE org_id = $1 AND deleted_at IS NULL AND display_name_key = $2",
            )
            .bind(org.as_uuid())
            .bind(&key)
            .fetch_optional(p)
            .await?
        });
        let (id, display_name) = row.ok_or(StoreError::NotFound)?;
        Ok(GroupRef { id, display_name })
    }
}
