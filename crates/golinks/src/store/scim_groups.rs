//! Groups as SCIM resources (RFC 7643 §4.2): a row of columns (a Group has no attribute
//! golinks does not index) and one `group_members` row per member. A write names the
//! version it read (or none) and changes the group and its memberships in one transaction:
//! a refused member leaves everything as it was. Membership edits touch only the rows they
//! name, so one member of a large group is added or removed without reading the others.

use sqlx::{Database, Encode, QueryBuilder, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use super::group_predicate::{self, GroupOrder, GroupPredicate};
use super::{OrgSeq, ResultExt, Store, StoreError, StoreResult, Timestamp, now_ms, on_pool};
use crate::domain::OrgId;
use crate::metrics::{QueryFamily, time_query};

/// Ids bound per `IN (…)` list: far under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct GroupColumns {
    pub display_name: String,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRecord {
    pub id: Uuid,
    pub display_name: String,
    pub external_id: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A member as a group shows it: the person's id and name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupMember {
    pub group_id: Uuid,
    pub user_id: Uuid,
    pub display: String,
}

/// A group a person is in, as the person shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserGroup {
    pub user_id: Uuid,
    pub group_id: Uuid,
    pub display_name: String,
}

/// What a write does to the memberships.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberChange {
    Keep,
    /// Exactly these people (PUT, PATCH replace of `members`).
    Replace(Vec<Uuid>),
    /// These added and those removed; adding a member or removing a non-member is a no-op.
    Edit {
        add: Vec<Uuid>,
        remove: Vec<Uuid>,
    },
}

#[derive(Debug, Clone)]
pub struct GroupPageQuery {
    pub filter: Option<GroupPredicate>,
    pub order: GroupOrder,
    pub descending: bool,
    /// Only groups whose id is greater (cursor paging, RFC 9865); with `GroupOrder::Id`.
    pub after: Option<Uuid>,
    pub offset: i64,
    /// `None`: every matching group.
    pub limit: Option<i64>,
}

const GROUP_SELECT: &str = "SELECT g.id, g.display_name, g.external_id, g.version, g.created_at,
        g.updated_at FROM groups g";

/// What a write did to a group's memberships: exactly the people it added and removed (an
/// add of a member or a removal of a non-member is not in them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberDelta {
    pub added: Vec<Uuid>,
    pub removed: Vec<Uuid>,
}

impl MemberDelta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// A group as a write left it, and what the write did to its members.
#[derive(Debug, Clone)]
pub struct GroupWrite {
    pub group: GroupRecord,
    pub members: MemberDelta,
    /// The organization's change sequence as the write left it, when its members changed
    /// (a session-only move, see `Index::apply_session_write`).
    pub moved: Option<OrgSeq>,
}

/// Applies `$change` to group `$group`'s rows; evaluates to the [`MemberDelta`]. Fails with
/// [`StoreError::UnknownMember`] naming the first added id that is not a live person of the
/// organization (the caller's transaction then rolls everything back).
macro_rules! apply_members {
    ($tx:expr, $org:expr, $group:expr, $change:expr) => {{
        let mut delta = MemberDelta::default();
        let (add, remove): (&[Uuid], &[Uuid]) = match $change {
            MemberChange::Keep => (&[], &[]),
            MemberChange::Replace(ids) => (ids, &[]),
            MemberChange::Edit { add, remove } => (add, remove),
        };
        if let MemberChange::Replace(ids) = $change {
            // Only the rows that go: members kept stay untouched.
            let current: Vec<Uuid> = sqlx::query_scalar(
                "SELECT user_id FROM group_members WHERE org_id = $1 AND group_id = $2",
            )
            .bind($org.as_uuid())
            .bind($group)
            .fetch_all(&mut *$tx)
            .await?;
            let keep: std::collections::HashSet<&Uuid> = ids.iter().collect();
            let gone: Vec<Uuid> = current
                .into_iter()
                .filter(|id| !keep.contains(id))
                .collect();
            delta.removed = delete_members!($tx, $org, $group, &gone);
        }
        delta
            .removed
            .extend(delete_members!($tx, $org, $group, remove));
        for chunk in add.chunks(CHUNK) {
            // Only live people of the organization are inserted: the check and the write in
            // one statement. Fewer rows than ids means a member already there, a repeated id,
            // or one that is no person: only then are the ids looked up, to name that one.
            let mut qb =
                QueryBuilder::new("INSERT INTO group_members (org_id, group_id, user_id) SELECT ");
            qb.push_bind($org.as_uuid())
                .push(", ")
                .push_bind($group)
                .push(", id FROM users WHERE org_id = ")
                .push_bind($org.as_uuid())
                .push(" AND deleted_at IS NULL AND id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ON CONFLICT DO NOTHING RETURNING user_id");
            let inserted: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *$tx).await?;
            let inserted: std::collections::HashSet<Uuid> = inserted.into_iter().collect();
            if inserted.len() < chunk.len() {
                let mut qb = QueryBuilder::new("SELECT id FROM users WHERE org_id = ");
                qb.push_bind($org.as_uuid())
                    .push(" AND deleted_at IS NULL AND id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                let found: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *$tx).await?;
                if let Some(unknown) = chunk.iter().find(|id| !found.contains(id)) {
                    return Err(StoreError::UnknownMember(*unknown));
                }
            }
            // In the request's order, each once: the log names the first few.
            delta.added.extend(in_order(chunk, &inserted));
        }
        delta
    }};
}

/// Evaluates to the people deleted from the group among `$ids`.
macro_rules! delete_members {
    ($tx:expr, $org:expr, $group:expr, $ids:expr) => {{
        let mut deleted: Vec<Uuid> = Vec::new();
        for chunk in $ids.chunks(CHUNK) {
            let mut qb = QueryBuilder::new("DELETE FROM group_members WHERE org_id = ");
            qb.push_bind($org.as_uuid())
                .push(" AND group_id = ")
                .push_bind($group)
                .push(" AND user_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") RETURNING user_id");
            let gone: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *$tx).await?;
            deleted.extend(in_order(chunk, &gone.into_iter().collect()));
        }
        deleted
    }};
}

/// Inside a group write's transaction, after its membership rows changed: memberships decide
/// who follows a group's links and who has a role from it, so every server's cached sessions
/// re-read them (a session-only move: the link index holds no membership). When the group
/// grants a role, everyone's role is recomputed in the same transaction. Evaluates to the
/// organization's new [`OrgSeq`].
macro_rules! memberships_moved {
    ($tx:expr, $org:expr, $group:expr) => {{
        let (at, admin, moderator) = super::orgs::bump_session_seq!($tx, $org);
        let group: Uuid = $group;
        if admin == Some(group) || moderator == Some(group) {
            super::group_roles::recompute_roles!($tx, $org, admin, moderator);
        }
        at
    }};
}

/// The ids of `asked` that are in `done`, in `asked`'s order, each once.
fn in_order(asked: &[Uuid], done: &std::collections::HashSet<Uuid>) -> Vec<Uuid> {
    let mut seen = std::collections::HashSet::new();
    asked
        .iter()
        .filter(|id| done.contains(id) && seen.insert(**id))
        .copied()
        .collect()
}

fn taken(cols: &GroupColumns) -> impl FnOnce() -> String + '_ {
    || format!("displayName {:?} is already taken", cols.display_name)
}

impl Store {
    pub async fn insert_scim_group(
        &self,
        org: OrgId,
        cols: &GroupColumns,
        members: &MemberChange,
    ) -> StoreResult<GroupWrite> {
        let _timer = time_query(QueryFamily::ScimGroupWrite);
        let id = Uuid::new_v4();
        let now = Timestamp(now_ms());
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let group: GroupRecord = sqlx::query_as(
                "INSERT INTO groups (org_id, id, display_name, display_name_key, external_id,
                     version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
                 RETURNING id, display_name, external_id, version, created_at, updated_at",
            )
            .bind(org.as_uuid())
            .bind(id)
            .bind(&cols.display_name)
            .bind(scim::fold_case(&cols.display_name).into_owned())
            .bind(&cols.external_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .on_unique(taken(cols))?;
            let delta = apply_members!(tx, org, id, members);
            let moved = if delta.is_empty() {
                None
            } else {
                Some(memberships_moved!(tx, org, id))
            };
            tx.commit().await?;
            Ok(GroupWrite {
                group,
                members: delta,
                moved,
            })
        })
    }

    /// A group that was not deleted.
    pub async fn get_scim_group(&self, org: OrgId, id: Uuid) -> StoreResult<GroupRecord> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let sql = sqlx::AssertSqlSafe(format!(
            "{GROUP_SELECT} WHERE g.org_id = $1 AND g.id = $2 AND g.deleted_at IS NULL"
        ));
        let row: Option<GroupRecord> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// Writes the group's columns and memberships if its version is still `expected` (any
    /// version when `None`). `Ok(None)`: the group is gone or at another version. When
    /// `same_columns` and no membership row changes, nothing is written and the version
    /// stays: an idempotent request changes nothing.
    pub async fn update_scim_group(
        &self,
        org: OrgId,
        id: Uuid,
        expected: Option<i64>,
        cols: &GroupColumns,
        same_columns: bool,
        members: &MemberChange,
    ) -> StoreResult<Option<GroupWrite>> {
        let _timer = time_query(QueryFamily::ScimGroupWrite);
        let now = Timestamp(now_ms());
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            // First: the row lock (PostgreSQL) that orders concurrent writes to the group.
            let updated: Option<GroupRecord> = sqlx::query_as(
                "UPDATE groups SET display_name = $4, display_name_key = $5, external_id = $6,
                     version = version + 1, updated_at = $7
                 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL
                     AND ($3 IS NULL OR version = $3)
                 RETURNING id, display_name, external_id, version, created_at, updated_at",
            )
            .bind(org.as_uuid())
            .bind(id)
            .bind(expected)
            .bind(&cols.display_name)
            .bind(scim::fold_case(&cols.display_name).into_owned())
            .bind(&cols.external_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .on_unique(taken(cols))?;
            let Some(group) = updated else {
                return Ok(None);
            };
            let delta = apply_members!(tx, org, id, members);
            if same_columns && delta.is_empty() {
                // Nothing to write: the group as it was, version and all.
                tx.rollback().await?;
                return self.get_scim_group(org, id).await.map(|group| {
                    Some(GroupWrite {
                        group,
                        members: delta,
                        moved: None,
                    })
                });
            }
            let moved = if delta.is_empty() {
                None
            } else {
                Some(memberships_moved!(tx, org, id))
            };
            tx.commit().await?;
            Ok(Some(GroupWrite {
                group,
                members: delta,
                moved,
            }))
        })
    }

    /// SCIM DELETE: the group is gone (404 afterwards) and so are its memberships.
    pub async fn delete_scim_group(
        &self,
        org: OrgId,
        id: Uuid,
        expected: Option<i64>,
    ) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::ScimGroupWrite);
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let done = sqlx::query(
                "UPDATE groups SET deleted_at = $3, version = version + 1, updated_at = $3
                 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL
                     AND ($4 IS NULL OR version = $4)",
            )
            .bind(org.as_uuid())
            .bind(id)
            .bind(Timestamp(now_ms()))
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2")
                .bind(org.as_uuid())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // Its members lose its links and any role from it at once.
            memberships_moved!(tx, org, id);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Groups (not deleted) matching the pushed-down filter, in id order, and how many match.
    pub async fn list_scim_groups(
        &self,
        org: OrgId,
        q: &GroupPageQuery,
    ) -> StoreResult<(Vec<GroupRecord>, i64)> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let postgres = !matches!(self.backend, super::Backend::Sqlite { .. });
        Ok(on_pool!(self.read(), |p| {
            let (mut list, mut count) = group_page_queries(org.as_uuid(), q, postgres);
            let rows = list.build_query_as().fetch_all(p).await?;
            let total: i64 = count.build_query_scalar().fetch_one(p).await?;
            (rows, total)
        }))
    }

    /// The members of these groups, each group's in person-id order.
    pub async fn scim_group_members(
        &self,
        org: OrgId,
        groups: &[Uuid],
    ) -> StoreResult<Vec<GroupMember>> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let mut all = Vec::new();
        for chunk in groups.chunks(CHUNK) {
            let rows: Vec<GroupMember> = on_pool!(self.read(), |p| {
                let mut qb = QueryBuilder::new(
                    "SELECT m.group_id, m.user_id, COALESCE(u.display_name, u.user_name) AS display
                     FROM group_members m JOIN users u ON u.org_id = m.org_id AND u.id = m.user_id
                     WHERE m.org_id = ",
                );
                qb.push_bind(org.as_uuid()).push(" AND m.group_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY m.group_id, m.user_id");
                qb.build_query_as().fetch_all(p).await?
            });
            all.extend(rows);
        }
        Ok(all)
    }

    /// The groups of these people (one query per page of people, not one per person).
    pub async fn scim_user_groups(
        &self,
        org: OrgId,
        users: &[Uuid],
    ) -> StoreResult<Vec<UserGroup>> {
        let _timer = time_query(QueryFamily::ScimGroupRead);
        let mut all = Vec::new();
        for chunk in users.chunks(CHUNK) {
            let rows: Vec<UserGroup> = on_pool!(self.read(), |p| {
                let mut qb = QueryBuilder::new(
                    "SELECT m.user_id, g.id AS group_id, g.display_name
                     FROM group_members m JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id
                     WHERE g.deleted_at IS NULL AND m.org_id = ",
                );
                qb.push_bind(org.as_uuid()).push(" AND m.user_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY m.user_id, g.display_name_key");
                qb.build_query_as().fetch_all(p).await?
            });
            all.extend(rows);
        }
        Ok(all)
    }
}

/// The page of groups `q` asks for and the count of all matching, every value bound.
fn group_page_queries<DB>(
    org: Uuid,
    q: &GroupPageQuery,
    postgres: bool,
) -> (QueryBuilder<DB>, QueryBuilder<DB>)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
{
    let scope = |qb: &mut QueryBuilder<DB>| {
        qb.push(" WHERE g.org_id = ")
            .push_bind(org)
            .push(" AND g.deleted_at IS NULL");
        if let Some(filter) = &q.filter {
            qb.push(" AND (");
            group_predicate::push(qb, filter, org);
            qb.push(")");
        }
    };
    let mut count = QueryBuilder::new("SELECT COUNT(*) FROM groups g");
    scope(&mut count);
    let mut list = QueryBuilder::new(GROUP_SELECT);
    scope(&mut list);
    if let Some(after) = q.after {
        list.push(" AND g.id > ").push_bind(after);
    }
    list.push(" ORDER BY ")
        .push(q.order.order_by(q.descending, postgres));
    if let Some(limit) = q.limit {
        list.push(format!(" LIMIT {limit} OFFSET {}", q.offset.max(0)));
    }
    (list, count)
}
