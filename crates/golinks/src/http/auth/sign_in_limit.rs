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

use crate::app::AppState;
use crate::http::error::PageError;

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
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let Some(client) = client_address(&parts.headers, peer, state.config.trust_forwarded_for)
        else {
            return Ok(SignInAttempt);
        };
        match state.sign_in_limiter.check(client) {
            Ok(()) => Ok(SignInAttempt),
            Err(seconds) => {
                tracing::warn!(%client, "too many sign-in attempts");
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

/// The client's address: the connection's peer, or, behind a trusted reverse proxy, the last
/// `X-Forwarded-For` entry (the one that proxy appended; earlier ones the client can forge).
fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<IpAddr>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(forwarded) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|last| last.trim().parse().ok())
    {
        return Some(forwarded);
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise() {
        let peer: IpAddr = "10.0.0.1".parse().expect("ip");
        let mut headers = axum::http::HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "6.6.6.6, 192.0.2.7".parse().expect("value"),
        );
        assert_eq!(client_address(&headers, Some(peer), false), Some(peer));
        assert_eq!(
            client_address(&headers, Some(peer), true),
            Some("192.0.2.7".parse().expect("ip")),
            "the proxy's entry, not the client's forgery"
        );
        headers.insert("x-forwarded-for", "junk".parse().expect("value"));
        assert_eq!(client_address(&headers, Some(peer), true), Some(peer));
    }
}
