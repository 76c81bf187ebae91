//! People as SCIM resources: the full resource as JSON plus the columns that filters, the
//! directory and sign-in use, all written together. Writes are optimistic: an update names
//! the version it read and fails if someone changed the person in between.

use crate::metrics::{QueryFamily, time_query};
use serde_json::Value;
use sqlx::{Database, Encode, QueryBuilder, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use super::sessions::revoke_sessions_in_tx;
use super::user_predicate::{self, UserPredicate};
use super::{LogEntry, ResultExt, Store, StoreError, StoreResult, Timestamp, on_pool};
use crate::domain::{OrgId, UserId};

/// The columns kept beside the resource, derived from it (`provisioning::columns`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserColumns {
    pub user_name: String,
    pub external_id: Option<String>,
    pub active: bool,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The primary (else first work, else first) email.
    pub email: Option<String>,
    /// Every email value, for `emails.value` filters.
    pub emails: Vec<String>,
    pub department: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: Uuid,
    pub user_name: String,
    pub external_id: Option<String>,
    pub active: bool,
    pub role: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub resource: String,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// See [`UserRecord::groups`].
    #[sqlx(default)]
    pub groups_json: Option<String>,
}

/// How a page of people is ordered (always ending with the id, for a stable order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrder {
    Id,
    UserName,
    ExternalId,
    Created,
    LastModified,
}

impl UserOrder {
    fn column(self) -> &'static str {
        match self {
            UserOrder::Id => "u.id",
            UserOrder::UserName => "u.user_name_key",
            UserOrder::ExternalId => "u.external_id",
            UserOrder::Created => "u.created_at",
            UserOrder::LastModified => "u.updated_at",
        }
    }
}

#[derive(Debug, Clone)]
pub struct UserPageQuery {
    pub filter: Option<UserPredicate>,
    pub order: UserOrder,
    pub descending: bool,
    /// Only people whose id is greater (cursor paging, RFC 9865); with `UserOrder::Id`.
    pub after: Option<Uuid>,
    pub offset: i64,
    /// `None`: every matching row.
    pub limit: Option<i64>,
}

/// A person's columns, then their groups (`UserRecord::groups`) as JSON `[[id, displayName],
/// …]` in displayName order, read in the same query: an identity provider's look-up is one
/// round trip, not a second one for the groups. Each dialect builds the JSON its own way
/// (SQLite keeps ids as blobs: they go out as hex).
macro_rules! user_select {
    ($groups:expr) => {
        concat!(
            "SELECT u.id, u.user_name, u.external_id, u.active, u.role, u.display_name,
                u.given_name, u.family_name, u.email, u.department, u.title, u.resource,
                u.version, u.created_at, u.updated_at, ",
            $groups,
            " AS groups_json FROM users u"
        )
    };
}

const USER_SELECT_POSTGRES: &str = user_select!(
    "COALESCE((SELECT json_agg(json_build_array(g.id, g.display_name) ORDER BY g.display_name_key)
        FROM group_members m JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id
        WHERE m.org_id = u.org_id AND m.user_id = u.id AND g.deleted_at IS NULL)::text, '[]')"
);

const USER_SELECT_SQLITE: &str = user_select!(
    "(SELECT json_group_array(json_array(lower(hex(g.id)), g.display_name) ORDER BY g.display_name_key)
        FROM group_members m JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id
        WHERE m.org_id = u.org_id AND m.user_id = u.id AND g.deleted_at IS NULL)"
);

fn user_select(sqlite: bool) -> &'static str {
    if sqlite {
        USER_SELECT_SQLITE
    } else {
        USER_SELECT_POSTGRES
    }
}

impl UserRecord {
    /// The person's groups as (id, displayName), when the record was read with them (a
    /// write's `RETURNING` is not).
    pub fn groups(&self) -> Option<Vec<(Uuid, String)>> {
        serde_json::from_str(self.groups_json.as_deref()?).ok()
    }
}

/// The columns of `user_select!` but the groups, for a write's `RETURNING`: a create or an update answers with
/// the row it wrote instead of reading it again (one round trip less per write).
macro_rules! user_returning {
    () => {
        " RETURNING id, user_name, external_id, active, role, display_name, given_name,
            family_name, email, department, title, resource, version, created_at, updated_at"
    };
}

/// A create's `INSERT INTO users`, parameters $1–$15 (see `Store::insert_scim_user`).
macro_rules! insert_user {
    () => {
        "INSERT INTO users (org_id, id, user_name, user_name_key, external_id, active, display_name,
             given_name, family_name, email, email_key, department, title, resource, version,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)"
    };
}

/// A create's provisioning log row, parameters $17–$31, written only when $17 is true.
macro_rules! insert_log {
    () => {
        "INSERT INTO provisioning_log (org_id, id, at, token_id, token_name, method, path, user_id,
             user_name, status, scim_type, detail, duration_ms, summary, changes)
         SELECT $1, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31 WHERE $17"
    };
}

/// Times are kept to the millisecond, the precision `meta` shows, so that a filter on a
/// shown time finds what it shows.
pub fn now_ms() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

macro_rules! replace_emails {
    ($tx:expr, $org:expr, $id:expr, $cols:expr) => {
        sqlx::query("DELETE FROM user_emails WHERE org_id = $1 AND user_id = $2")
            .bind($org.as_uuid())
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        insert_emails!($tx, $org, $id, $cols);
    };
}

/// A person's email keys, for `emails.value` filters (the person has none stored yet).
macro_rules! insert_emails {
    ($tx:expr, $org:expr, $id:expr, $cols:expr) => {
        let mut keys: Vec<String> = $cols.emails.iter().map(|e| e.to_lowercase()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            sqlx::query("INSERT INTO user_emails (org_id, user_id, value_key) VALUES ($1, $2, $3)")
                .bind($org.as_uuid())
                .bind($id)
                .bind(key)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

impl Store {
    /// Creates the person `id`, their email keys and, when given, the provisioning log's row
    /// for the create, all in one atomic step that costs one round trip on PostgreSQL (one
    /// statement of data-modifying CTEs, committed on its own) and one batch on SQLite's
    /// writer (one multi-statement query inside a transaction), instead of a transaction of
    /// four statements plus the log row's own commit.
    pub async fn insert_scim_user(
        &self,
        org: OrgId,
        id: UserId,
        cols: &UserColumns,
        resource: &Value,
        log: Option<&LogEntry>,
    ) -> StoreResult<UserRecord> {
        let _timer = time_query(QueryFamily::ScimUserWrite);
        self.note_people_write();
        let now = now_ms();
        let mut keys: Vec<String> = cols.emails.iter().map(|e| e.to_lowercase()).collect();
        keys.sort();
        keys.dedup();
        macro_rules! bound {
            ($query:expr, $keys:expr, $cols:expr, $resource:expr, $log:expr) => {
                $query
                    .bind(org.as_uuid())
                    .bind(id.as_uuid())
                    .bind(&$cols.user_name)
                    .bind($cols.user_name.to_lowercase())
                    .bind(&$cols.external_id)
                    .bind($cols.active)
                    .bind(&$cols.display_name)
                    .bind(&$cols.given_name)
                    .bind(&$cols.family_name)
                    .bind(&$cols.email)
                    .bind($cols.email.as_ref().map(|e| e.to_lowercase()))
                    .bind(&$cols.department)
                    .bind(&$cols.title)
                    .bind($resource.to_string())
                    .bind(Timestamp(now))
                    .bind($keys)
                    .bind($log.is_some())
                    .bind(Uuid::now_v7())
                    .bind(Timestamp($log.map_or(now, |l| l.at)))
                    .bind($log.and_then(|l| l.token_id))
                    .bind($log.and_then(|l| l.token_name.as_deref()))
                    .bind($log.map(|l| l.method.as_str()))
                    .bind($log.map(|l| l.path.as_str()))
                    .bind($log.and_then(|l| l.user_id))
                    .bind($log.and_then(|l| l.user_name.as_deref()))
                    .bind($log.map(|l| l.status))
                    .bind($log.and_then(|l| l.scim_type.as_deref()))
                    .bind($log.and_then(|l| l.detail.as_deref()))
                    .bind($log.map(|l| l.duration_ms))
                    .bind($log.and_then(|l| l.summary.as_deref()))
                    .bind($log.and_then(|l| l.changes.as_deref()))
            };
        }
        let taken = || format!("userName {:?} is already taken", cols.user_name);
        match self.write() {
            super::Db::Postgres(p) => {
                let sql = concat!(
                    "WITH u AS (",
                    insert_user!(),
                    user_returning!(),
                    "),
                     e AS (INSERT INTO user_emails (org_id, user_id, value_key)
                           SELECT $1, $2, k FROM unnest($16::text[]) AS k),
                     l AS (",
                    insert_log!(),
                    ")
                     SELECT * FROM u"
                );
                Ok(bound!(sqlx::query_as(sql), &keys, cols, resource, log)
                    .fetch_one(p)
                    .await
                    .on_unique(taken)?)
            }
            super::Db::Sqlite(p) => {
                // One query of five statements, its own transaction included (numbered
                // parameters are shared between them): SQLite's one writer runs the whole
                // create in one turn instead of three (begin, statements, commit), each a
                // round trip to its thread while every other write waits. The batch opens a
                // transaction that sqlx does not track, so it runs in a task of its own that
                // finishes (or rolls back) even when the request is dropped.
                let sql = concat!(
                    "BEGIN IMMEDIATE; ",
                    insert_user!(),
                    user_returning!(),
                    ";
                     INSERT INTO user_emails (org_id, user_id, value_key)
                     SELECT $1, $2, value FROM json_each($16);",
                    insert_log!(),
                    "; COMMIT;"
                );
                let keys =
                    serde_json::to_string(&keys).map_err(|e| sqlx::Error::Encode(e.into()))?;
                let (pool, cols, resource, log) =
                    (p.clone(), cols.clone(), resource.clone(), log.cloned());
                let batch = tokio::spawn(async move {
                    let log = log.as_ref();
                    let mut conn = pool.acquire().await?;
                    let rows: Result<Vec<UserRecord>, sqlx::Error> =
                        bound!(sqlx::query_as(sql), keys, &cols, &resource, log)
                            .fetch_all(&mut *conn)
                            .await;
                    if rows.is_err() {
                        // Whichever statement failed, nothing of the batch stays (a failed
                        // BEGIN leaves nothing to roll back: that error is moot).
                        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    }
                    rows
                });
                let mut rows = batch
                    .await
                    .map_err(|_| sqlx::Error::WorkerCrashed)?
                    .on_unique(taken)?;
                rows.pop().ok_or(StoreError::NotFound)
            }
        }
    }

    /// A person who was not deleted.
    pub async fn get_scim_user(&self, org: OrgId, id: UserId) -> StoreResult<UserRecord> {
        let _timer = time_query(QueryFamily::ScimUserRead);
        let sqlite = matches!(self.backend, super::Backend::Sqlite { .. });
        let sql = sqlx::AssertSqlSafe(format!(
            "{} WHERE u.org_id = $1 AND u.id = $2 AND u.deleted_at IS NULL",
            user_select(sqlite)
        ));
        let row: Option<UserRecord> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// Replaces the person's resource and columns if their version is still `expected`;
    /// `None` means someone changed them meanwhile. Deactivation ends the person's sessions
    /// in the same transaction; their API tokens are refused while they are inactive (tokens
    /// are checked against `active`) and work again on reactivation.
    pub async fn update_scim_user(
        &self,
        org: OrgId,
        id: UserId,
        expected: i64,
        cols: &UserColumns,
        resource: &Value,
    ) -> StoreResult<Option<UserRecord>> {
        let _timer = time_query(QueryFamily::ScimUserWrite);
        self.note_people_write();
        let now = now_ms();
        Ok(on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let updated: Option<UserRecord> = sqlx::query_as(concat!(
                "UPDATE users SET user_name = $4, user_name_key = $5, external_id = $6, active = $7,
                     display_name = $8, given_name = $9, family_name = $10, email = $11, email_key = $12,
                     department = $13, title = $14, resource = $15, version = version + 1, updated_at = $16
                 WHERE org_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL",
                user_returning!()
            ))
            .bind(org.as_uuid()).bind(id.as_uuid()).bind(expected)
            .bind(&cols.user_name).bind(cols.user_name.to_lowercase()).bind(&cols.external_id)
            .bind(cols.active).bind(&cols.display_name).bind(&cols.given_name).bind(&cols.family_name)
            .bind(&cols.email).bind(cols.email.as_ref().map(|e| e.to_lowercase()))
            .bind(&cols.department).bind(&cols.title).bind(resource.to_string()).bind(Timestamp(now))
            .fetch_optional(&mut *tx)
            .await
            .on_unique(|| format!("userName {:?} is already taken", cols.user_name))?;
            let Some(updated) = updated else {
                return Ok(None);
            };
            replace_emails!(tx, org, id.as_uuid(), cols);
            if !cols.active {
                revoke_sessions_in_tx!(tx, org, id.as_uuid());
            }
            tx.commit().await?;
            Some(updated)
        }))
    }

    /// SCIM DELETE: a tombstone. The person is gone from SCIM and the directory; their links
    /// stay (flagged: owner deleted) and their tokens stop working.
    pub async fn tombstone_scim_user(
        &self,
        org: OrgId,
        id: UserId,
        expected: Option<i64>,
    ) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::ScimUserWrite);
        self.note_people_write();
        let done = on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let done = sqlx::query(
                "UPDATE users SET deleted_at = $3, active = FALSE, version = version + 1, updated_at = $3
                 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL AND ($4 IS NULL OR version = $4)",
            )
            .bind(org.as_uuid()).bind(id.as_uuid()).bind(Timestamp(now_ms())).bind(expected)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                // Gone already, or another version (If-Match): nothing else changes.
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM user_emails WHERE org_id = $1 AND user_id = $2")
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
            // The person leaves every group; each group's version moves (its members changed).
            sqlx::query(
                "UPDATE groups SET version = version + 1, updated_at = $3
                 WHERE org_id = $1 AND id IN (SELECT m.group_id FROM group_members m
                     WHERE m.org_id = $1 AND m.user_id = $2)",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(Timestamp(now_ms()))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
            revoke_sessions_in_tx!(tx, org, id.as_uuid());
            tx.commit().await?;
            done
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// People (not deleted) matching the pushed-down filter, in `order`, and how many match.
    pub async fn list_scim_users(
        &self,
        org: OrgId,
        q: &UserPageQuery,
    ) -> StoreResult<(Vec<UserRecord>, i64)> {
        let _timer = time_query(QueryFamily::ScimUserRead);
        let sqlite = matches!(self.backend, super::Backend::Sqlite { .. });
        Ok(on_pool!(self.read(), |p| {
            let (mut list, mut count) = user_page_queries(org.as_uuid(), q, sqlite);
            let rows: Vec<UserRecord> = list.build_query_as().fetch_all(p).await?;
            let total: i64 = match whole_result(q, rows.len()) {
                Some(total) => total,
                None => count.build_query_scalar().fetch_one(p).await?,
            };
            (rows, total)
        }))
    }

    /// How many people of `org` are not deleted, from the count the `users` triggers keep
    /// (migration 0011): constant time, where counting `users_live` grows with the directory.
    pub async fn count_live_people(&self, org: OrgId) -> StoreResult<i64> {
        let _timer = time_query(QueryFamily::ScimUserRead);
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_scalar(LIVE_PEOPLE_COUNT)
                .bind(org.as_uuid())
                .fetch_one(p)
                .await?
        }))
    }
}

/// How many people match, when the page itself says: a first page (no offset, no cursor)
/// shorter than its limit holds every match. An identity provider's look-up (`userName eq`)
/// is such a page, and skips the count's round trip.
fn whole_result(q: &UserPageQuery, rows: usize) -> Option<i64> {
    let first = q.offset == 0 && q.after.is_none();
    let short = q
        .limit
        .is_none_or(|limit| i64::try_from(rows).is_ok_and(|n| n < limit));
    (first && short).then(|| i64::try_from(rows).unwrap_or(i64::MAX))
}

/// The sum of an organization's counter rows (one on SQLite, up to 16 on PostgreSQL); an
/// organization nobody was ever provisioned into has none. `CAST`: PostgreSQL's SUM of a
/// BIGINT is a NUMERIC.
macro_rules! live_people_count_prefix {
    () => {
        "SELECT CAST(COALESCE(SUM(live), 0) AS BIGINT) FROM live_people_counts WHERE org_id = "
    };
}
const LIVE_PEOPLE_COUNT_PREFIX: &str = live_people_count_prefix!();
const LIVE_PEOPLE_COUNT: &str = concat!(live_people_count_prefix!(), "$1");

/// The page of people `q` asks for, and the count of everyone matching (cursor or not: RFC
/// 9865 §2.2 totalResults), every value bound.
fn user_page_queries<DB>(
    org: Uuid,
    q: &UserPageQuery,
    sqlite: bool,
) -> (QueryBuilder<DB>, QueryBuilder<DB>)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
    bool: for<'t> Encode<'t, DB> + Type<DB>,
{
    let scope = |qb: &mut QueryBuilder<DB>| {
        qb.push(" WHERE u.org_id = ")
            .push_bind(org)
            .push(" AND u.deleted_at IS NULL");
        if let Some(filter) = &q.filter {
            qb.push(" AND (");
            user_predicate::push(qb, filter, org);
            qb.push(")");
        }
    };
    let count = if q.filter.is_none() {
        // Everyone not deleted: the triggers' count, not a walk of `users_live`.
        let mut count = QueryBuilder::new(LIVE_PEOPLE_COUNT_PREFIX);
        count.push_bind(org);
        count
    } else {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM users u");
        scope(&mut count);
        count
    };
    let mut list = QueryBuilder::new(user_select(sqlite));
    scope(&mut list);
    if let Some(after) = q.after {
        list.push(" AND u.id > ").push_bind(after);
    }
    let direction = if q.descending { "DESC" } else { "ASC" };
    // SQLite, unlike PostgreSQL, may walk the whole id-ordered index to avoid a sort even
    // when the filter names one person (`externalId eq`); a `+` on the sort key tells it to
    // use the filter's index and sort the few rows found.
    let unary = if q.filter.is_some() && sqlite {
        "+"
    } else {
        ""
    };
    let mut offset = q.offset.max(0);
    if let (Some(_), None, UserOrder::Id, false, None) =
        (q.limit, &q.filter, q.order, q.descending, q.after)
        && q.offset > 0
    {
        // The Okta import walks everyone by startIndex: find the page's first id on the
        // covering index alone, then read just that page (a "deferred join"), so a deep
        // page costs about what the first does.
        list.push(" AND u.id >= (SELECT d.id FROM users d WHERE d.org_id = ")
            .push_bind(org)
            .push(format!(
                " AND d.deleted_at IS NULL ORDER BY d.id LIMIT 1 OFFSET {})",
                q.offset
            ));
        offset = 0;
    }
    list.push(format!(
        " ORDER BY {unary}{} {direction}, {unary}u.id {direction}",
        q.order.column()
    ));
    if let Some(limit) = q.limit {
        list.push(format!(" LIMIT {limit} OFFSET {offset}"));
    }
    (list, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(offset: i64, after: Option<Uuid>, limit: Option<i64>) -> UserPageQuery {
        UserPageQuery {
            filter: None,
            order: UserOrder::Id,
            descending: false,
            after,
            offset,
            limit,
        }
    }

    #[test]
    fn only_a_short_first_page_knows_its_total() {
        assert_eq!(whole_result(&page(0, None, Some(100)), 1), Some(1));
        assert_eq!(whole_result(&page(0, None, Some(100)), 0), Some(0));
        assert_eq!(whole_result(&page(0, None, None), 7), Some(7));
        // A full page may have more behind it; a later page or a cursor page does not know
        // what came before it; `count=0` asks for the total alone.
        assert_eq!(whole_result(&page(0, None, Some(100)), 100), None);
        assert_eq!(whole_result(&page(5, None, Some(100)), 3), None);
        assert_eq!(
            whole_result(&page(0, Some(Uuid::nil()), Some(100)), 3),
            None
        );
        assert_eq!(whole_result(&page(0, None, Some(0)), 0), None);
    }
}
