//! People. SCIM (a later issue) adds the full lifecycle; this holds what links and tokens need.

use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::parse_enum;
use super::{ResultExt, Store, StoreError, StoreResult, Timestamp, User, on_pool};
use crate::domain::{Email, OrgId, Role, UserId};

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: Uuid,
    user_name: String,
    email: Option<String>,
    display_name: Option<String>,
    role: String,
    active: bool,
    deleted: bool,
}

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(r: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId::from_uuid(r.id),
            user_name: r.user_name,
            email: r.email,
            display_name: r.display_name,
            role: parse_enum(&r.role)?,
            active: r.active,
            deleted: r.deleted,
        })
    }
}

pub(super) const USER_COLUMNS: &str = "id, user_name, email, display_name, role, active, \
                            deleted_at IS NOT NULL AS deleted";

impl Store {
    /// Creates a person whose `userName` and primary email are `email`.
    pub async fn create_user(
        &self,
        org: OrgId,
        email: &Email,
        display_name: Option<&str>,
        role: Role,
    ) -> StoreResult<User> {
        let id = UserId::new();
        let now = OffsetDateTime::now_utc();
        self.note_people_write();
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO users (org_id, id, user_name, user_name_key, email, email_key,
                                    display_name, role, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $3, $4, $5, $6, $7, $7)",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(email.as_str())
            .bind(email.key())
            .bind(display_name)
            .bind(role.as_str())
            .bind(Timestamp(now))
            .execute(p)
            .await
            .on_unique(|| format!("a person with userName {:?} exists already", email.as_str()))?;
        });
        self.find_user(org, id).await
    }

    pub async fn find_user(&self, org: OrgId, id: UserId) -> StoreResult<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2"
        ));
        let row: Option<UserRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(p)
                .await?
        });
        Ok(row.ok_or(StoreError::NotFound)?.try_into()?)
    }

    /// The person (not deleted) whose `userName` is `email`, compared case-insensitively.
    pub async fn find_user_by_email(&self, org: OrgId, email: &Email) -> StoreResult<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users
             WHERE org_id = $1 AND user_name_key = $2 AND deleted_at IS NULL"
        ));
        let row: Option<UserRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(email.key())
                .fetch_optional(p)
                .await?
        });
        Ok(row.ok_or(StoreError::NotFound)?.try_into()?)
    }

    /// Whether any organization has a person yet: a fresh install has none.
    pub async fn has_people(&self) -> StoreResult<bool> {
        let found: Option<i32> = on_pool!(self.read(), |p| {
            sqlx::query_scalar("SELECT 1 FROM users WHERE deleted_at IS NULL LIMIT 1")
                .fetch_optional(p)
                .await?
        });
        Ok(found.is_some())
    }
}
