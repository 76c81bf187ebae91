//! Sign-in endpoints (`/saml/login`, `/saml/acs`, one-time links) are rate-limited per client
//! address, so that nobody can guess link secrets or flood the request and replay tables.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::PageError;
use crate::app::AppState;

pub struct SignInLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl SignInLimiter {
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds)` to wait when the address is over its rate.
    fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets addresses whose allowance is full again (called now and then).
    pub fn shrink(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Extracting this counts one sign-in attempt of the client's address.
pub struct SignInAttempt;

impl FromRequestParts<AppState> for SignInAttempt {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>()
        else {
            return Ok(SignInAttempt);
        };
        match state.sign_in_limiter.check(addr.ip()) {
            Ok(()) => Ok(SignInAttempt),
            Err(seconds) => {
                tracing::warn!(client = %addr.ip(), "too many sign-in attempts");
                let mut response = PageError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Too many sign-in attempts from your address. Try again in {seconds} s."
                    ),
                )
                .into_response();
                if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                Err(response)
            }
        }
    }
}
