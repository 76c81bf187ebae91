//! Rate limits, and the one answer they give when exceeded: 429 with `Retry-After` in seconds
//! (RFC 6585 §4, RFC 9110 §10.2.3) and a body in the caller's protocol — an HTML page, a JSON
//! problem (RFC 9457) or a SCIM error (RFC 7644 §3.12) — so that a browser shows it, and an
//! identity provider or a script backs off and retries.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use scim::ScimError;

use crate::http::error::{ApiError, PageError};
use crate::http::scim::ScimFailure;

/// A keyed rate limit (GCRA, from `governor`).
pub struct Limiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request of `key`; `Err` when it is over its rate.
    pub fn check(&self, key: &K) -> Result<(), TooMany> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            TooMany {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }

    /// Forgets keys whose allowance is full again (called now and then).
    pub fn shrink(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Over a limit: wait this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany {
    pub retry_after_secs: u64,
}

/// The protocol a 429 answers in.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Page,
    Api,
    Scim,
}

impl TooMany {
    /// The 429 answer; `what` says what there were too many of ("sign-in attempts").
    pub fn respond(self, format: Format, what: &str) -> Response {
        crate::metrics::throttled(match format {
            Format::Page => "page",
            Format::Api => "api",
            Format::Scim => "scim",
        });
        let seconds = self.retry_after_secs;
        let detail = format!("Too many {what}. Try again in {seconds} s.");
        let mut response = match format {
            Format::Page => PageError::new(StatusCode::TOO_MANY_REQUESTS, detail).into_response(),
            Format::Api => ApiError::new(StatusCode::TOO_MANY_REQUESTS, detail).into_response(),
            Format::Scim => ScimFailure(ScimError::too_many_requests(detail)).into_response(),
        };
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Most addresses remembered as over their failure allowance; more are still refused, at the
/// cost of a database read each.
const MAX_BLOCKED: usize = 10_000;

/// Failed bearer-token authentications (API and SCIM) per client address: past the allowance
/// the address is refused before its token is even looked up, so guessing tokens costs the
/// guesser, not the database.
pub struct BearerFailures {
    limiter: Limiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl Default for BearerFailures {
    fn default() -> Self {
        // 20 failures at once, then one every 6 s: a person fixing a pasted token or an
        // identity provider's misconfigured connection is never slowed; a guesser is.
        let burst = NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN);
        let per_minute = NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Limiter::new(Quota::per_minute(per_minute).allow_burst(burst)),
            blocked: Mutex::default(),
        }
    }
}

impl BearerFailures {
    /// `Err` while `client` is over its allowance of failures.
    pub fn check(&self, client: IpAddr) -> Result<(), TooMany> {
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&client) {
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(wait) if !wait.is_zero() => Err(TooMany {
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                }),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// Counts one failure of `client`; `Err` when that one was over the allowance.
    pub fn failed(&self, client: IpAddr) -> Result<(), TooMany> {
        let over = self.limiter.check(&client);
        if let Err(too_many) = over {
            let until = Instant::now() + Duration::from_secs(too_many.retry_after_secs);
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            if blocked.len() >= MAX_BLOCKED {
                let now = Instant::now();
                blocked.retain(|_, until| *until > now);
            }
            if blocked.len() < MAX_BLOCKED {
                blocked.insert(client, until);
            }
        }
        over
    }

    pub fn shrink(&self) {
        self.limiter.shrink();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_failures_is_refused_until_it_may_retry() {
        let failures = BearerFailures::default();
        let guesser: IpAddr = "192.0.2.7".parse().expect("ip");
        let other: IpAddr = "192.0.2.8".parse().expect("ip");
        for _ in 0..20 {
            assert_eq!(failures.failed(guesser), Ok(()));
        }
        assert_eq!(failures.check(guesser), Ok(()));
        let refused = failures.failed(guesser).expect_err("over the allowance");
        assert!(refused.retry_after_secs >= 1);
        assert!(
            failures.check(guesser).is_err(),
            "refused before any look-up"
        );
        assert_eq!(failures.check(other), Ok(()), "others are not affected");
    }

    #[test]
    fn every_429_carries_retry_after_in_its_protocols_format() {
        let too_many = TooMany {
            retry_after_secs: 7,
        };
        for (format, content_type) in [
            (Format::Page, "text/html"),
            (Format::Api, "application/problem+json"),
            (Format::Scim, "application/scim+json"),
        ] {
            let response = too_many.respond(format, "requests");
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(response.headers()[header::RETRY_AFTER], "7", "{format:?}");
            let got = response.headers()[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii");
            assert!(got.starts_with(content_type), "{format:?}: {got}");
        }
    }
}
