//! `Authorization: Bearer gls_…` → the token's organization (RFC 7644 §2), and the per-token
//! rate limit: 429 with `Retry-After` (RFC 7644 §3.12, RFC 6585 §4) so that an identity
//! provider backs off and retries instead of losing pushes.

use std::num::NonZeroU32;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use scim::ScimError;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{OrgId, TokenKind, token};
use crate::http::scim::ScimFailure;
use crate::http::scim::log::RequestNote;
use crate::store::tokens::LAST_USED_GRANULARITY;

/// Requests per second and burst, per SCIM token.
pub struct ScimLimiter {
    limiter: DefaultKeyedRateLimiter<Uuid>,
    /// Log lines for requests without a valid token, per organization: enough to show an IT
    /// admin a wrong token, too few for anyone to flood the log.
    anonymous_log: DefaultKeyedRateLimiter<Uuid>,
    clock: DefaultClock,
}

impl ScimLimiter {
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        let quota = Quota::per_second(per_second).allow_burst(burst);
        let anonymous = Quota::per_second(NonZeroU32::MIN)
            .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: RateLimiter::keyed(quota),
            anonymous_log: RateLimiter::keyed(anonymous),
            clock: DefaultClock::default(),
        }
    }

    /// Whether a request without a valid token may still be written to `org`'s log.
    pub fn may_log_anonymous(&self, org: crate::domain::OrgId) -> bool {
        self.anonymous_log.check_key(&org.as_uuid()).is_ok()
    }

    /// `Err(seconds)` to wait when the token is over its rate.
    fn check(&self, token: Uuid) -> Result<(), u64> {
        self.limiter.check_key(&token).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// An identity provider's SCIM client, authenticated.
pub struct ScimClient {
    pub org: OrgId,
}

impl FromRequestParts<AppState> for ScimClient {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized =
            |detail: &str| ScimFailure(ScimError::unauthorized(detail)).into_response();
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("a bearer token is required"))?
            .to_str()
            .ok()
            .and_then(|v| {
                v.get(..7)
                    .filter(|p| p.eq_ignore_ascii_case("bearer "))
                    .and(v.get(7..))
            })
            .map(str::trim)
            .filter(|t| t.starts_with(TokenKind::Scim.prefix()))
            .ok_or_else(|| unauthorized("malformed Authorization header: expected Bearer gls_…"))?;
        let found = state
            .store
            .find_scim_token(&token::digest(presented))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot check a SCIM token");
                ScimFailure(ScimError::internal()).into_response()
            })?;
        let (org, id, name, last_used) =
            found.ok_or_else(|| unauthorized("unknown or revoked token"))?;
        if let Some(note) = parts.extensions.get::<RequestNote>()
            && let Ok(mut note) = note.lock()
        {
            note.org = Some(org);
            note.token = Some((id, name));
        }
        if let Err(seconds) = state.scim_limiter.check(id) {
            let mut response = ScimFailure(ScimError::too_many_requests(format!(
                "too many requests for this token; retry after {seconds} s"
            )))
            .into_response();
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Err(response);
        }
        if last_used.is_none_or(|t| OffsetDateTime::now_utc() - t > LAST_USED_GRANULARITY)
            && let Err(e) = state.store.touch_scim_token(org, id).await
        {
            tracing::warn!(error = %e, "cannot record the SCIM token's last use");
        }
        Ok(ScimClient { org })
    }
}
