//! Roles from groups: an organization names a group whose members are admins and one whose
//! members are at least moderators. `users.role` holds the effective role — the higher of
//! the role set by hand (`manual_role`, or `role` while that is NULL) and the role groups
//! give — recomputed in the same transaction as every write that can change it: a
//! membership write to a role group, the mapping itself, a role set by hand. Sessions,
//! policy and SCIM keep reading one column, and a membership change counts from its commit:
//! the change sequence moves, so every server drops its cached sessions of the organization.

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::rows::parse_enum;
use super::{Store, StoreError, StoreResult, on_pool};
use crate::domain::{OrgId, Role, UserId};

/// The groups that grant roles (`None`: no group grants that role).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoleGroups {
    pub admin: Option<Uuid>,
    pub moderator: Option<Uuid>,
}

/// A role a group gives a person.
#[derive(Debug, Clone)]
pub struct GroupGrant {
    pub user: UserId,
    pub role: Role,
    pub group: String,
}

/// The effective role of a `users` row whose role set by hand is the SQL `manual`, with the
/// admin group bound as `$2` and the moderator group as `$3`: the one place of the rule.
pub(super) fn effective_role_sql(manual: &str) -> String {
    let member_of = |param: &str| {
        format!(
            "EXISTS (SELECT 1 FROM group_members m WHERE m.org_id = users.org_id
                 AND m.user_id = users.id AND m.group_id = {param})"
        )
    };
    format!(
        "CASE WHEN {manual} = 'admin' OR {admin} THEN 'admin'
              WHEN {manual} = 'moderator' OR {moderator} THEN 'moderator'
              ELSE {manual} END",
        admin = member_of("$2"),
        moderator = member_of("$3"),
    )
}

/// Every person of the organization `$1` whose effective role differs from `role` gets it;
/// the role set by hand is kept in `manual_role` first.
pub(super) fn recompute_sql() -> String {
    let effective = effective_role_sql("COALESCE(manual_role, role)");
    format!(
        "UPDATE users SET manual_role = COALESCE(manual_role, role), role = {effective}
         WHERE org_id = $1 AND deleted_at IS NULL AND role <> {effective}"
    )
}

/// Inside a write's transaction: gives everyone of the organization the role the groups
/// `$admin` and `$moderator` (the organization's mapping, read in that transaction) give them
/// now. Evaluates to how many people's role changed. The caller moves the change sequence:
/// membership writes of `scim_groups.rs` once for the memberships and the roles together.
macro_rules! recompute_roles {
    ($tx:expr, $org:expr, $admin:expr, $moderator:expr) => {{
        let admin: Option<uuid::Uuid> = $admin;
        let moderator: Option<uuid::Uuid> = $moderator;
        sqlx::query(sqlx::AssertSqlSafe(
            $crate::store::group_roles::recompute_sql(),
        ))
        .bind($org.as_uuid())
        .bind(admin)
        .bind(moderator)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    }};
}
pub(crate) use recompute_roles;

impl Store {
    pub async fn role_groups(&self, org: OrgId) -> StoreResult<RoleGroups> {
        let row: Option<(Option<Uuid>, Option<Uuid>)> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT admin_group_id, moderator_group_id FROM organizations WHERE id = $1",
            )
            .bind(org.as_uuid())
            .fetch_optional(p)
            .await?
        });
        let (admin, moderator) = row.ok_or(StoreError::NotFound)?;
        Ok(RoleGroups { admin, moderator })
    }

    /// Names the groups that grant roles and gives everyone their role at once.
    /// [`StoreError::NotFound`]: a group is not a live group of the organization.
    pub async fn set_role_groups(&self, org: OrgId, groups: RoleGroups) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            for id in [groups.admin, groups.moderator].into_iter().flatten() {
                let live: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM groups WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL",
                )
                .bind(org.as_uuid())
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                if live.is_none() {
                    return Err(StoreError::NotFound);
                }
            }
            sqlx::query(
                "UPDATE organizations SET admin_group_id = $2, moderator_group_id = $3
                 WHERE id = $1",
            )
            .bind(org.as_uuid())
            .bind(groups.admin)
            .bind(groups.moderator)
            .execute(&mut *tx)
            .await?;
            recompute_roles!(tx, org, groups.admin, groups.moderator);
            // Roles, and the settings page itself (cached per organization), changed.
            super::orgs::bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets the role set by hand; the effective role stays at least what groups give.
    /// Sessions pick it up at their next request (the change sequence moves).
    pub async fn set_role(&self, org: OrgId, id: UserId, role: Role) -> StoreResult<()> {
        let effective = effective_role_sql("$4");
        let sql = AssertSqlSafe(format!(
            "UPDATE users SET manual_role = $4, role = {effective}
             WHERE org_id = $1 AND id = $5"
        ));
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let (admin, moderator): (Option<Uuid>, Option<Uuid>) = sqlx::query_as(
                "SELECT admin_group_id, moderator_group_id FROM organizations WHERE id = $1",
            )
            .bind(org.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
            let done = sqlx::query(sql)
                .bind(org.as_uuid())
                .bind(admin)
                .bind(moderator)
                .bind(role.as_str())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                return Err(StoreError::NotFound);
            }
            super::orgs::bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The roles groups give: everyone's (`user` `None`) or one person's, highest first.
    pub async fn group_grants(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> StoreResult<Vec<GroupGrant>> {
        let rows: Vec<(Uuid, String, String)> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT m.user_id, CASE WHEN g.id = o.admin_group_id THEN 'admin'
                        ELSE 'moderator' END AS role, g.display_name
                 FROM organizations o
                 JOIN groups g ON g.org_id = o.id AND g.deleted_at IS NULL
                     AND (g.id = o.admin_group_id OR g.id = o.moderator_group_id)
                 JOIN group_members m ON m.org_id = g.org_id AND m.group_id = g.id
                 WHERE o.id = $1 AND ($2 IS NULL OR m.user_id = $2)",
            )
            .bind(org.as_uuid())
            .bind(user.map(|u| u.as_uuid()))
            .fetch_all(p)
            .await?
        });
        let mut grants = rows
            .into_iter()
            .map(|(user, role, group)| {
                Ok(GroupGrant {
                    user: UserId::from_uuid(user),
                    role: parse_enum(&role)?,
                    group,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        grants.sort_by_key(|g| std::cmp::Reverse(g.role.rank()));
        Ok(grants)
    }
}
