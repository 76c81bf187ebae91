//! The provisioning log: what each SCIM request did.

use crate::metrics::{QueryFamily, time_query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, Timestamp, on_pool};
use crate::domain::OrgId;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct LogEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub token_id: Option<Uuid>,
    pub token_name: Option<String>,
    pub method: String,
    pub path: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub status: i32,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
    pub duration_ms: i64,
    /// What the request did, in words: "Deactivated Dana Quist (active true → false)".
    pub summary: Option<String>,
    /// Its changed attributes before and after, and members added or removed: JSON text.
    pub changes: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub since: Option<OffsetDateTime>,
    pub failed_only: bool,
    /// Only entries whose person's userName contains this (case-insensitive).
    pub person: Option<String>,
    pub limit: i64,
}

/// `2026-01-31T09:00:00Z`, or an age before now: `30m`, `12h`, `7d`.
pub fn parse_since(raw: &str) -> Result<OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    let raw = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(t);
    }
    let problem =
        || "a time is RFC 3339 (2026-01-31T09:00:00Z) or an age like 30m, 12h, 7d".to_owned();
    let (number, unit) = raw.split_at(raw.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| problem())?;
    let age = match unit {
        "m" => time::Duration::minutes(n),
        "h" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        _ => return Err(problem()),
    };
    Ok(OffsetDateTime::now_utc() - age)
}

impl Store {
    pub async fn append_provisioning_log(&self, org: OrgId, entry: &LogEntry) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO provisioning_log (org_id, id, at, token_id, token_name, method, path, user_id,
                     user_name, status, scim_type, detail, duration_ms, summary, changes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(org.as_uuid()).bind(Uuid::now_v7()).bind(Timestamp(entry.at)).bind(entry.token_id)
            .bind(&entry.token_name).bind(&entry.method).bind(&entry.path).bind(entry.user_id)
            .bind(&entry.user_name).bind(entry.status).bind(&entry.scim_type).bind(&entry.detail)
            .bind(entry.duration_ms).bind(&entry.summary).bind(&entry.changes)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The newest entries first.
    pub async fn provisioning_log(&self, org: OrgId, q: &LogQuery) -> StoreResult<Vec<LogEntry>> {
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT at, token_id, token_name, method, path, user_id, user_name, status, scim_type,
                        detail, duration_ms, summary, changes
                 FROM provisioning_log
                 WHERE org_id = $1 AND ($2 IS NULL OR at >= $2) AND (NOT $3 OR status >= 400)
                   AND ($5 IS NULL OR lower(user_name) LIKE $5 ESCAPE '\\')
                 ORDER BY at DESC, id DESC LIMIT $4",
            )
            .bind(org.as_uuid())
            .bind(q.since.map(Timestamp))
            .bind(q.failed_only)
            .bind(q.limit)
            .bind(q.person.as_deref().map(super::link_reads::like_pattern))
            .fetch_all(p)
            .await?
        }))
    }

    /// The SCIM token presented as `digest`, if it is not revoked: (org, id, name).
    pub async fn find_scim_token(
        &self,
        digest: &[u8],
    ) -> StoreResult<Option<(OrgId, Uuid, String, Option<OffsetDateTime>)>> {
        let _timer = time_query(QueryFamily::Token);
        let row: Option<(Uuid, Uuid, String, Option<OffsetDateTime>)> =
            on_pool!(self.read(), |p| {
                sqlx::query_as(
                    "SELECT org_id, id, name, last_used_at FROM scim_tokens
                 WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(digest)
                .fetch_optional(p)
                .await?
            });
        Ok(row.map(|(org, id, name, used)| (OrgId::from_uuid(org), id, name, used)))
    }

    pub async fn touch_scim_token(&self, org: OrgId, id: Uuid) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::Token);
        on_pool!(self.write(), |p| {
            sqlx::query("UPDATE scim_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_uuid())
                .bind(id)
                .bind(Timestamp::now())
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
