//! Single sign-on: each organization's identity provider, the AuthnRequests we sent, and the
//! assertion IDs already used (the replay cache, here so that a restart or another replica
//! still refuses a replay).

use base64::Engine;
use time::OffsetDateTime;

use super::users::USER_COLUMNS;
use super::{Store, StoreError, StoreResult, Timestamp, User, on_pool};
use crate::domain::{Email, OrgId};
use crate::saml::IdpSettings;

#[derive(sqlx::FromRow)]
struct SsoRow {
    idp_entity_id: String,
    sso_url: String,
    certificates: String,
    sp_base_url: Option<String>,
    jit: bool,
    idp_initiated: bool,
    email_attribute: Option<String>,
}

/// Why the store refused to accept a Response.
#[derive(Debug, PartialEq, Eq)]
pub enum SamlAcceptance {
    /// Accepted; the person goes to this path.
    Accepted {
        next: Option<String>,
    },
    UnknownRequest,
    /// The request is ours and open, but was started by another browser (or the cookie that
    /// binds it is gone): nothing was used up.
    OtherBrowser,
    Replay,
}

impl SamlAcceptance {
    fn refused_request(other_browser: bool) -> Self {
        if other_browser {
            SamlAcceptance::OtherBrowser
        } else {
            SamlAcceptance::UnknownRequest
        }
    }
}

/// Uses up an open request, when the browser that started it presents the response.
const USE_REQUEST: &str = "UPDATE saml_requests SET used_at = $3
     WHERE org_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3
       AND browser_digest = $4
     RETURNING next_path";
/// Whether the request is open at all (to tell another browser from an unknown request).
const OPEN_REQUEST: &str = "SELECT COUNT(*) FROM saml_requests
     WHERE org_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3";
const FORGET_ASSERTIONS: &str = "DELETE FROM saml_assertions WHERE expires_at < $1";
const REMEMBER_ASSERTION: &str = "INSERT INTO saml_assertions (org_id, id, expires_at)
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

impl Store {
    pub async fn sso_settings(&self, org: OrgId) -> StoreResult<Option<IdpSettings>> {
        let row: Option<SsoRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT idp_entity_id, sso_url, certificates, sp_base_url, jit, idp_initiated,
                        email_attribute
                 FROM sso_configs WHERE org_id = $1",
            )
            .bind(org.as_uuid())
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(|r| IdpSettings {
            entity_id: r.idp_entity_id,
            sso_url: r.sso_url,
            certificates: r
                .certificates
                .lines()
                .filter_map(|l| base64::engine::general_purpose::STANDARD.decode(l).ok())
                .collect(),
            sp_base_url: r.sp_base_url,
            jit: r.jit,
            idp_initiated: r.idp_initiated,
            email_attribute: r.email_attribute,
        }))
    }

    pub async fn save_sso_settings(&self, org: OrgId, s: &IdpSettings) -> StoreResult<()> {
        let certificates = s
            .certificates
            .iter()
            .map(|c| base64::engine::general_purpose::STANDARD.encode(c))
            .collect::<Vec<_>>()
            .join("\n");
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO sso_configs (org_id, idp_entity_id, sso_url, certificates, sp_base_url,
                                          jit, idp_initiated, email_attribute, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (org_id) DO UPDATE SET
                   idp_entity_id = excluded.idp_entity_id, sso_url = excluded.sso_url,
                   certificates = excluded.certificates, sp_base_url = excluded.sp_base_url,
                   jit = excluded.jit, idp_initiated = excluded.idp_initiated,
                   email_attribute = excluded.email_attribute, updated_at = excluded.updated_at",
            )
            .bind(org.as_uuid())
            .bind(&s.entity_id)
            .bind(&s.sso_url)
            .bind(certificates)
            .bind(&s.sp_base_url)
            .bind(s.jit)
            .bind(s.idp_initiated)
            .bind(&s.email_attribute)
            .bind(Timestamp::now())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Remembers an AuthnRequest we sent and the digest of the cookie that binds it to the
    /// browser that asked, and forgets long-expired requests.
    pub async fn record_saml_request(
        &self,
        org: OrgId,
        id: &str,
        next: &str,
        browser_digest: &[u8],
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM saml_requests WHERE expires_at < $1")
                .bind(Timestamp(now - time::Duration::days(1)))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO saml_requests (org_id, id, next_path, created_at, expires_at,
                                            browser_digest)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(org.as_uuid())
            .bind(id)
            .bind(next)
            .bind(Timestamp(now))
            .bind(Timestamp(expires_at))
            .bind(browser_digest)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The single place where a verified Response is used up, in one transaction: its
    /// InResponseTo must name an unanswered, unexpired request of ours, started by the browser
    /// whose cookie digest is `browser`, and its assertion ID must be new. Every refusal leaves
    /// nothing changed.
    pub async fn accept_saml_response(
        &self,
        org: OrgId,
        in_response_to: Option<&str>,
        browser: Option<&[u8]>,
        assertion_id: &str,
        valid_until: OffsetDateTime,
    ) -> StoreResult<SamlAcceptance> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let mut next = None;
            if let Some(request) = in_response_to {
                next = sqlx::query_scalar(USE_REQUEST)
                    .bind(org.as_uuid())
                    .bind(request)
                    .bind(Timestamp(now))
                    .bind(browser.unwrap_or_default())
                    .fetch_optional(&mut *tx)
                    .await?;
                if next.is_none() {
                    let open: i64 = sqlx::query_scalar(OPEN_REQUEST)
                        .bind(org.as_uuid())
                        .bind(request)
                        .bind(Timestamp(now))
                        .fetch_one(&mut *tx)
                        .await?;
                    let other_browser = open > 0;
                    return Ok(SamlAcceptance::refused_request(other_browser));
                }
            }
            sqlx::query(FORGET_ASSERTIONS)
                .bind(Timestamp(now))
                .execute(&mut *tx)
                .await?;
            let fresh = sqlx::query(REMEMBER_ASSERTION)
                .bind(org.as_uuid())
                .bind(assertion_id)
                .bind(Timestamp(valid_until))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if fresh == 0 {
                return Ok(SamlAcceptance::Replay);
            }
            tx.commit().await?;
            Ok(SamlAcceptance::Accepted { next })
        })
    }

    /// The person signing in as `email`: matched on `userName`, then on the primary email,
    /// case-insensitively; a deleted person is returned too, so that signing in cannot bring
    /// them back.
    pub async fn find_user_for_sign_in(&self, org: OrgId, email: &Email) -> StoreResult<User> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users
             WHERE org_id = $1 AND (user_name_key = $2 OR email_key = $2)
             ORDER BY deleted_at IS NULL DESC, user_name_key = $2 DESC, created_at DESC
             LIMIT 1"
        ));
        let row: Option<super::users::UserRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(email.key())
                .fetch_optional(p)
                .await?
        });
        Ok(row.ok_or(StoreError::NotFound)?.try_into()?)
    }
}
