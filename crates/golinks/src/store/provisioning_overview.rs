//! The provisioning log's overview: per SCIM token, its last request, its requests and
//! failures in the last day, and its most recent requests (for `provisioning::token_health`),
//! in one query per page view whatever the number of tokens.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, Timestamp, on_pool};
use crate::domain::OrgId;

/// How many of a token's latest requests the overview reads.
pub const RECENT: i64 = 20;

/// Recent requests are read from this far back only, so that the query reads a bounded part
/// of the log (through `provisioning_log_token`); a token quiet for longer has no recent
/// requests, and is not "a token that was pushing".
const RECENT_DAYS: i64 = 30;

/// One live SCIM token's activity.
#[derive(Debug, Clone)]
pub struct TokenActivity {
    pub id: Uuid,
    pub name: String,
    /// The token's last use (any request, reads included), else its newest logged request.
    pub last_request: Option<OffsetDateTime>,
    pub requests_24h: i64,
    pub failures_24h: i64,
    /// Its newest logged requests, newest first: when, and whether it failed.
    pub recent: Vec<(OffsetDateTime, bool)>,
}

type Row = (
    Uuid,
    String,
    Option<OffsetDateTime>,
    i64,
    i64,
    Option<OffsetDateTime>,
    Option<i32>,
);

impl Store {
    /// Every live SCIM token of the organization with its activity as of `now`.
    pub async fn scim_token_activity(
        &self,
        org: OrgId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<TokenActivity>> {
        let rows: Vec<Row> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "WITH recent AS (
                     SELECT token_id, at, status,
                            ROW_NUMBER() OVER (PARTITION BY token_id ORDER BY at DESC, id DESC) AS n
                     FROM provisioning_log
                     WHERE org_id = $1 AND token_id IS NOT NULL AND at >= $3
                 ), day AS (
                     SELECT token_id, COUNT(*) AS requests,
                            SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS failures
                     FROM provisioning_log
                     WHERE org_id = $1 AND token_id IS NOT NULL AND at >= $2
                     GROUP BY token_id
                 )
                 SELECT t.id, t.name, t.last_used_at, COALESCE(d.requests, 0),
                        COALESCE(d.failures, 0), r.at, r.status
                 FROM scim_tokens t
                 LEFT JOIN day d ON d.token_id = t.id
                 LEFT JOIN recent r ON r.token_id = t.id AND r.n <= $4
                 WHERE t.org_id = $1 AND t.revoked_at IS NULL
                 ORDER BY t.name, t.id, r.at DESC",
            )
            .bind(org.as_uuid())
            .bind(Timestamp(now - time::Duration::days(1)))
            .bind(Timestamp(now - time::Duration::days(RECENT_DAYS)))
            .bind(RECENT)
            .fetch_all(p)
            .await?
        });
        Ok(by_token(rows))
    }
}

/// One activity per token from its rows (one per recent request, or one without).
fn by_token(rows: Vec<Row>) -> Vec<TokenActivity> {
    let mut tokens: Vec<TokenActivity> = Vec::new();
    for (id, name, used, requests, failures, at, status) in rows {
        if tokens.last().is_none_or(|t| t.id != id) {
            tokens.push(TokenActivity {
                id,
                name,
                last_request: used,
                requests_24h: requests,
                failures_24h: failures,
                recent: Vec::new(),
            });
        }
        if let (Some(token), Some(at), Some(status)) = (tokens.last_mut(), at, status) {
            token.recent.push((at, status >= 400));
        }
    }
    for token in &mut tokens {
        let newest = token.recent.first().map(|r| r.0);
        token.last_request = token.last_request.max(newest);
    }
    tokens
}
