//! The session cookie (a 256-bit random secret; only its digest is stored), the extractor
//! that reads it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use super::origin::is_https;

use crate::app::AppState;
use crate::domain::{OrgId, Secret, TokenKind, UserId, token};
use crate::policy::Actor;
use crate::sessions::Lifetimes;
use crate::store::{SessionRecord, StoreError};

pub const COOKIE: &str = "golinks_session";

/// The value of our cookie in a `Cookie` header.
pub fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session: private to this site (`HttpOnly`, `SameSite=Lax`, `Secure`
/// over https), for the session's whole lifetime.
pub fn set_cookie(secret: &Secret, lifetimes: Lifetimes, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        secret.reveal(),
        lifetimes.absolute.whole_seconds()
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("golinks_session=; Path=/"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("golinks_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

pub fn new_session_secret() -> Secret {
    Secret::generate(TokenKind::Session)
}

/// Starts a session for `user` and returns its `Set-Cookie`. A new secret at every sign-in:
/// a session id known before sign-in is never reused (session fixation).
pub async fn start_session(
    state: &AppState,
    org: OrgId,
    user: UserId,
    headers: &HeaderMap,
) -> Result<HeaderValue, StoreError> {
    let secret = new_session_secret();
    let lifetimes = state.config.session_lifetimes();
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let expires_at = time::OffsetDateTime::now_utc() + lifetimes.absolute;
    state.unknown_secrets.forget(&secret.digest());
    state
        .store
        .create_session(org, user, &secret.digest(), expires_at, agent)
        .await?;
    Ok(set_cookie(&secret, lifetimes, is_https(headers)))
}

/// A signed-in person, from the session cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub org: OrgId,
    pub user: UserId,
    pub session: SessionRecord,
    pub digest: Vec<u8>,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user,
            role: self.session.role,
        }
    }
}

/// Reads the session cookie; `None` when there is none or it is not a live session.
pub async fn signed_in(headers: &HeaderMap, state: &AppState) -> Option<SignedIn> {
    let value = cookie_value(headers)?;
    let digest = token::digest(value);
    match state
        .sessions
        .lookup(
            &state.store,
            &state.index,
            &digest,
            state.config.session_lifetimes(),
        )
        .await
    {
        Ok(Some(session)) => Some(SignedIn {
            org: session.org,
            user: session.user,
            session,
            digest,
        }),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a session");
            None
        }
    }
}

/// The optional signed-in person, as an extractor.
pub struct Visitor(pub Option<SignedIn>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Visitor(signed_in(&parts.headers, state).await))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; golinks_session=gls_abc; b=2")]);
        assert_eq!(cookie_value(&h), Some("gls_abc"));
        assert_eq!(
            cookie_value(&headers(&[("cookie", "golinks_session_x=1")])),
            None
        );
        assert_eq!(
            cookie_value(&headers(&[("cookie", "golinks_session=")])),
            None
        );
    }
}
