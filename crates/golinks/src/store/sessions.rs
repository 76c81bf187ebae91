//! Sessions and one-time sign-in links, stored as SHA-256 digests of their secrets.
//! Ending sessions bumps the organization's change sequence, so that every server's session
//! cache forgets them (see `crate::sessions`).

use crate::metrics::{QueryFamily, time_query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::orgs::bump_change_seq;
use super::rows::parse_enum;
use super::{Store, StoreError, StoreResult, Timestamp, on_pool};
use crate::domain::{OrgId, Role, UserId};

/// A live session and who it is for.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub org: OrgId,
    pub id: Uuid,
    pub user: UserId,
    pub role: Role,
    /// The person's name as pages show it (display name, else userName), as of the session's
    /// last read from the store: the missing-link page shows it without a database read.
    pub name: std::sync::Arc<str>,
    /// The person's live groups, read with the session: the redirect checks a link restricted
    /// to a group against these without a database read. A membership change bumps the
    /// organization's change sequence, so that cached sessions are read again.
    pub groups: std::sync::Arc<[Uuid]>,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    org_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    role: String,
    name: String,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

/// A session as its owner sees it in their list.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SessionInfo {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    pub user_agent: Option<String>,
}

impl Store {
    pub async fn create_login_link(
        &self,
        org: OrgId,
        user: UserId,
        digest: &[u8],
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO login_links (org_id, id, token_hash, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(org.as_uuid())
            .bind(Uuid::now_v7())
            .bind(digest)
            .bind(user.as_uuid())
            .bind(Timestamp::now())
            .bind(Timestamp(expires_at))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Uses a sign-in link of `org`: it works once, before it expires, for an active person.
    /// A link of another organization is not found, and stays unused.
    pub async fn consume_login_link(&self, org: OrgId, digest: &[u8]) -> StoreResult<UserId> {
        let now = OffsetDateTime::now_utc();
        let used: Option<Uuid> = on_pool!(self.write(), |p| {
            sqlx::query_scalar(
                "UPDATE login_links SET used_at = $3
                 WHERE org_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                   AND EXISTS (SELECT 1 FROM users u WHERE u.org_id = login_links.org_id
                               AND u.id = login_links.user_id AND u.active AND u.deleted_at IS NULL)
                 RETURNING user_id",
            )
            .bind(org.as_uuid())
            .bind(digest)
            .bind(Timestamp(now))
            .fetch_optional(p)
            .await?
        });
        used.map(UserId::from_uuid).ok_or(StoreError::NotFound)
    }

    pub async fn create_session(
        &self,
        org: OrgId,
        user: UserId,
        digest: &[u8],
        expires_at: OffsetDateTime,
        user_agent: Option<&str>,
    ) -> StoreResult<Uuid> {
        let _timer = time_query(QueryFamily::Session);
        let id = Uuid::now_v7();
        let now = OffsetDateTime::now_utc();
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO sessions (org_id, id, token_hash, user_id, created_at, last_seen_at, expires_at, user_agent)
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
            )
            .bind(org.as_uuid()).bind(id).bind(digest).bind(user.as_uuid()).bind(Timestamp(now)).bind(Timestamp(expires_at))
            .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
            .execute(p)
            .await?;
        });
        Ok(id)
    }

    /// The unrevoked, unexpired session of an active person.
    pub async fn find_session(&self, digest: &[u8]) -> StoreResult<SessionRecord> {
        let _timer = time_query(QueryFamily::Session);
        let row: Option<SessionRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT s.org_id, s.id, s.user_id, u.role, COALESCE(u.display_name, u.user_name) AS name,
                        s.last_seen_at, s.expires_at
                 FROM sessions s JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
                   AND u.active AND u.deleted_at IS NULL",
            )
            .bind(digest)
            .bind(Timestamp::now())
            .fetch_optional(p)
            .await?
        });
        let r = row.ok_or(StoreError::NotFound)?;
        let (org, user) = (OrgId::from_uuid(r.org_id), UserId::from_uuid(r.user_id));
        let groups = self.user_group_ids(org, user).await?;
        Ok(SessionRecord {
            org,
            id: r.id,
            user,
            role: parse_enum(&r.role)?,
            name: r.name.into(),
            groups: groups.into(),
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
        })
    }

    pub async fn touch_session(&self, org: OrgId, id: Uuid) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::Session);
        on_pool!(self.write(), |p| {
            sqlx::query("UPDATE sessions SET last_seen_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_uuid())
                .bind(id)
                .bind(Timestamp::now())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Ends one session of `user` (logout, or the person ending one from their list).
    pub async fn revoke_session(&self, org: OrgId, user: UserId, id: Uuid) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::Session);
        let done = on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $4 WHERE org_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
            )
            .bind(org.as_uuid()).bind(user.as_uuid()).bind(id).bind(Timestamp::now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            bump_change_seq!(tx, org);
            tx.commit().await?;
            done
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends every session of a person (an admin signing them out); returns how many.
    pub async fn end_sessions(&self, org: OrgId, user: UserId) -> StoreResult<u64> {
        let _timer = time_query(QueryFamily::Session);
        Ok(on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let ended = sqlx::query(
                "UPDATE sessions SET revoked_at = $3 WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(Timestamp::now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            bump_change_seq!(tx, org);
            tx.commit().await?;
            ended
        }))
    }

    /// The person's live sessions, newest first.
    pub async fn list_sessions(&self, org: OrgId, user: UserId) -> StoreResult<Vec<SessionInfo>> {
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT id, created_at, last_seen_at, user_agent FROM sessions
                 WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3
                 ORDER BY created_at DESC",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(Timestamp::now())
            .fetch_all(p)
            .await?
        }))
    }
}

/// Ends every session of a person inside a write's transaction (deactivation, deletion) and
/// bumps the change sequence so that caches drop them.
macro_rules! revoke_sessions_in_tx {
    ($tx:expr, $org:expr, $user:expr) => {
        sqlx::query("UPDATE sessions SET revoked_at = $3 WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind($org.as_uuid())
            .bind($user)
            .bind($crate::store::Timestamp::now())
            .execute(&mut *$tx)
            .await?;
        $crate::store::orgs::bump_change_seq!($tx, $org);
    };
}
pub(crate) use revoke_sessions_in_tx;
