//! SCIM and API tokens, stored as SHA-256 digests only.

use crate::metrics::{QueryFamily, time_query};
use time::OffsetDateTime;
use uuid::Uuid;

use std::sync::atomic::Ordering;

use super::orgs::bump_change_seq;
use super::rows::parse_enum;
use super::{ApiCaller, Store, StoreError, StoreResult, Timestamp, TokenInfo, on_pool};
use crate::domain::{OrgId, TokenId, UserId};

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    name: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl From<TokenRow> for TokenInfo {
    fn from(r: TokenRow) -> Self {
        TokenInfo {
            id: TokenId::from_uuid(r.id),
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A token used within this long of its last recorded use is not written again, so that
/// a burst of requests does not turn into a burst of writes.
pub const LAST_USED_GRANULARITY: time::Duration = time::Duration::minutes(1);

impl Store {
    pub async fn create_scim_token(
        &self,
        org: OrgId,
        name: &str,
        digest: &[u8],
    ) -> StoreResult<TokenInfo> {
        let id = TokenId::new();
        let now = OffsetDateTime::now_utc();
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO scim_tokens (org_id, id, name, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(name)
            .bind(digest)
            .bind(Timestamp(now))
            .execute(p)
            .await?;
        });
        Ok(TokenInfo {
            id,
            name: name.to_owned(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    pub async fn list_scim_tokens(&self, org: OrgId) -> StoreResult<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT id, name, created_at, last_used_at, revoked_at FROM scim_tokens
                 WHERE org_id = $1 ORDER BY created_at",
            )
            .bind(org.as_uuid())
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(TokenInfo::from).collect())
    }

    /// Revokes the organization's SCIM tokens named `name_or_id` (a name, or an id).
    /// Returns how many were revoked; none is [`StoreError::NotFound`].
    /// Revokes the organization's live SCIM tokens named `name_or_id`. The organization's change
    /// sequence moves in the same transaction, so that every server drops the tokens it
    /// remembers (`ScimTokenCache`); this process's store counts the revocation for its own.
    pub async fn revoke_scim_tokens(&self, org: OrgId, name_or_id: &str) -> StoreResult<u64> {
        let id = name_or_id.parse::<Uuid>().ok();
        let done = on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let done = sqlx::query(
                "UPDATE scim_tokens SET revoked_at = $3
                 WHERE org_id = $1 AND (name = $2 OR id = $4) AND revoked_at IS NULL",
            )
            .bind(org.as_uuid())
            .bind(name_or_id)
            .bind(Timestamp::now())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done > 0 {
                bump_change_seq!(tx, org);
            }
            tx.commit().await?;
            done
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.scim_token_revocations.fetch_add(1, Ordering::Relaxed);
        Ok(done)
    }

    pub async fn create_api_token(
        &self,
        org: OrgId,
        user: UserId,
        name: &str,
        digest: &[u8],
    ) -> StoreResult<TokenInfo> {
        let id = TokenId::new();
        let now = OffsetDateTime::now_utc();
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO api_tokens (org_id, id, user_id, name, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(user.as_uuid())
            .bind(name)
            .bind(digest)
            .bind(Timestamp(now))
            .execute(p)
            .await?;
        });
        Ok(TokenInfo {
            id,
            name: name.to_owned(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// A person's API tokens, oldest first, revoked ones included.
    pub async fn list_api_tokens(&self, org: OrgId, user: UserId) -> StoreResult<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
                 WHERE org_id = $1 AND user_id = $2 ORDER BY created_at",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(TokenInfo::from).collect())
    }

    /// Revokes one of the person's own API tokens.
    pub async fn revoke_api_token(&self, org: OrgId, user: UserId, id: TokenId) -> StoreResult<()> {
        let done = on_pool!(self.write(), |p| {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $4
                 WHERE org_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .bind(Timestamp::now())
            .execute(p)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Whether a session, API token or SCIM token — live, revoked, expired or of an inactive
    /// person — was ever stored under `digest`. One that matches nothing can only match later
    /// if someone guessed a 256-bit secret, so it may be remembered as unknown; one that
    /// exists may come back (its person reactivated) and may not.
    pub async fn digest_is_known(&self, digest: &[u8]) -> StoreResult<bool> {
        let _timer = time_query(QueryFamily::Token);
        let known: bool = on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM sessions WHERE token_hash = $1)
                     OR EXISTS (SELECT 1 FROM api_tokens WHERE token_hash = $1)
                     OR EXISTS (SELECT 1 FROM scim_tokens WHERE token_hash = $1)",
            )
            .bind(digest)
            .fetch_one(p)
            .await?
        });
        Ok(known)
    }

    /// The active, not deleted person behind an unrevoked API token.
    pub async fn find_api_caller(&self, digest: &[u8]) -> StoreResult<ApiCaller> {
        let _timer = time_query(QueryFamily::Token);
        let row: Option<(Uuid, Uuid, Uuid, String, Option<OffsetDateTime>)> =
            on_pool!(self.read(), |p| {
                sqlx::query_as(
                    "SELECT t.org_id, t.id, u.id, u.role, t.last_used_at
                 FROM api_tokens t JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL
                   AND u.active AND u.deleted_at IS NULL",
                )
                .bind(digest)
                .fetch_optional(p)
                .await?
            });
        let (org, token, user, role, last_used_at) = row.ok_or(StoreError::NotFound)?;
        let (org, user) = (OrgId::from_uuid(org), UserId::from_uuid(user));
        let groups = self.user_group_ids(org, user).await?;
        Ok(ApiCaller {
            org,
            token: TokenId::from_uuid(token),
            user,
            groups: groups.into(),
            role: parse_enum(&role)?,
            last_used_at,
        })
    }

    pub async fn touch_api_token(&self, org: OrgId, token: TokenId) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::Token);
        on_pool!(self.write(), |p| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_uuid())
                .bind(token.as_uuid())
                .bind(Timestamp::now())
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
