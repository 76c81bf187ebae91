//! Sign-in endpoints (`/saml/login`, `/saml/acs`, one-time links) are rate-limited per client
//! address, so that nobody can guess link secrets or flood the request and replay tables.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use governor::Quota;

use super::client::{Client, limit_key};
use super::limit::{Format, Limiter};
use crate::app::AppState;

pub struct SignInLimiter {
    limiter: Limiter<IpAddr>,
}

impl SignInLimiter {
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            limiter: Limiter::new(Quota::per_minute(per_minute).allow_burst(burst)),
        }
    }

    /// Forgets addresses whose allowance is full again (called now and then).
    pub fn shrink(&self) {
        self.limiter.shrink();
    }
}

/// Extracting this counts one sign-in attempt of the client's address (see
/// [`super::client`]: behind a trusted proxy, the address the proxy saw; an IPv6 client by
/// its /64).
pub struct SignInAttempt;

impl FromRequestParts<AppState> for SignInAttempt {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(client) = parts.extensions.get::<Client>() else {
            return Ok(SignInAttempt);
        };
        match state.sign_in_limiter.limiter.check(&limit_key(client.addr)) {
            Ok(()) => Ok(SignInAttempt),
            Err(too_many) => {
                tracing::warn!(client = %client.addr, "too many sign-in attempts");
                Err(too_many.respond(Format::Page, "sign-in attempts from your address"))
            }
        }
    }
}
