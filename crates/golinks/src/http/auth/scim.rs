//! `Authorization: Bearer gls_…` → the token's organization (RFC 7644 §2), and the per-token
//! rate limit: 429 with `Retry-After` (RFC 7644 §3.12, RFC 6585 §4) so that an identity
//! provider backs off and retries instead of losing pushes.

use std::num::NonZeroU32;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use governor::Quota;
use scim::ScimError;
use time::OffsetDateTime;
use uuid::Uuid;

use super::bearer::{self, BearerError};
use super::limit::{Format, Limiter};
use crate::app::AppState;
use crate::domain::{OrgId, TokenKind};
use crate::http::scim::ScimFailure;
use crate::http::scim::log::RequestNote;
use crate::store::tokens::LAST_USED_GRANULARITY;

/// Requests per second and burst, per SCIM token.
pub struct ScimLimiter {
    limiter: Limiter<Uuid>,
    /// Log lines for requests without a valid token, per organization: enough to show an IT
    /// admin a wrong token, too few for anyone to flood the log.
    anonymous_log: Limiter<Uuid>,
}

impl ScimLimiter {
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        let anonymous = Quota::per_second(NonZeroU32::MIN)
            .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Limiter::new(Quota::per_second(per_second).allow_burst(burst)),
            anonymous_log: Limiter::new(anonymous),
        }
    }

    /// Whether a request without a valid token may still be written to `org`'s log.
    pub fn may_log_anonymous(&self, org: OrgId) -> bool {
        self.anonymous_log.check(&org.as_uuid()).is_ok()
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
        let find = |digest: Vec<u8>| async move {
            (state.scim_tokens)
                .find(&state.store, &state.index, &digest)
                .await
        };
        let (org, id, name, last_used) = bearer::authenticate(parts, state, TokenKind::Scim, find)
            .await
            .map_err(refusal)?;
        if let Some(note) = parts.extensions.get::<RequestNote>()
            && let Ok(mut note) = note.lock()
        {
            note.org = Some(org);
            note.token = Some((id, name));
        }
        state
            .scim_limiter
            .limiter
            .check(&id)
            .map_err(|too_many| too_many.respond(Format::Scim, "requests for this token"))?;
        let now = OffsetDateTime::now_utc();
        if last_used.is_none_or(|t| now - t > LAST_USED_GRANULARITY) {
            match state.store.touch_scim_token(org, id).await {
                Ok(()) => state.scim_tokens.touched(id, now),
                Err(e) => tracing::warn!(error = %e, "cannot record the SCIM token's last use"),
            }
        }
        Ok(ScimClient { org })
    }
}

/// A refused bearer token, as a SCIM error (RFC 7644 §3.12).
fn refusal(error: BearerError) -> Response {
    let unauthorized = |detail: &str| ScimFailure(ScimError::unauthorized(detail)).into_response();
    match error {
        BearerError::Missing => unauthorized("a bearer token is required"),
        BearerError::Malformed => {
            unauthorized("malformed Authorization header: expected Bearer gls_…")
        }
        BearerError::Unknown => unauthorized("unknown or revoked token"),
        BearerError::TooMany(too_many) => {
            too_many.respond(Format::Scim, "failed authentications from your address")
        }
        BearerError::Store(e) => {
            tracing::error!(error = %e, "cannot check a SCIM token");
            ScimFailure(ScimError::internal()).into_response()
        }
    }
}
