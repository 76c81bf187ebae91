//! The session cookie (a 256-bit random secret; only its digest is stored), the extractor
//! that reads it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use crate::app::AppState;
use crate::domain::{OrgId, Secret, TokenKind, UserId, token};
use crate::policy::Actor;
use crate::sessions::Lifetimes;
use crate::store::{SessionRecord, StoreError};

/// The cookie's name over https. The `__Host-` prefix makes a browser accept it only with
/// `Secure`, `Path=/` and no `Domain` (RFC 6265bis §4.1.3.2), so another subdomain cannot
/// set or shadow it.
pub const HTTPS_COOKIE: &str = "__Host-golinks_session";
/// The cookie's name for plain-http local use (no https base URL).
pub const PLAIN_COOKIE: &str = "golinks_session";

/// The name in force, decided by configuration ([`crate::config::Config::https`]), never by
/// a request header. Only this name is read: with https a plain `golinks_session` cookie,
/// which any subdomain could have set, is ignored.
pub fn cookie_name(https: bool) -> &'static str {
    if https { HTTPS_COOKIE } else { PLAIN_COOKIE }
}

/// The value of the cookie `name` in a `Cookie` header.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

/// The cookie's attributes: private to this site (`HttpOnly`, `SameSite=Lax`), `Secure` over
/// https, for the whole site and no other host (`Path=/`, no `Domain`).
fn attributes(https: bool) -> &'static str {
    if https {
        "Path=/; Secure; HttpOnly; SameSite=Lax"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    }
}

/// `Set-Cookie` for a new session, for the session's whole lifetime.
pub fn set_cookie(secret: &Secret, lifetimes: Lifetimes, https: bool) -> HeaderValue {
    let value = format!(
        "{}={}; {}; Max-Age={}",
        cookie_name(https),
        secret.reveal(),
        attributes(https),
        lifetimes.absolute.whole_seconds()
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| clear_cookie(https))
}

/// `Set-Cookie` that removes the session cookie: the same name and attributes, or the
/// browser would keep it.
pub fn clear_cookie(https: bool) -> HeaderValue {
    HeaderValue::from_static(if https {
        "__Host-golinks_session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    } else {
        "golinks_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    })
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
    Ok(set_cookie(&secret, lifetimes, state.config.https()))
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
            groups: self.session.groups.clone(),
        }
    }
}

/// Reads the session cookie; `None` when there is none or it is not a live session.
pub async fn signed_in(headers: &HeaderMap, state: &AppState) -> Option<SignedIn> {
    let value = cookie_value(headers, cookie_name(state.config.https()))?;
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
        assert_eq!(cookie_value(&h, PLAIN_COOKIE), Some("gls_abc"));
        assert_eq!(
            cookie_value(&headers(&[("cookie", "golinks_session_x=1")]), PLAIN_COOKIE),
            None
        );
        assert_eq!(
            cookie_value(&headers(&[("cookie", "golinks_session=")]), PLAIN_COOKIE),
            None
        );
    }

    #[test]
    fn only_the_name_in_force_is_read() {
        let plain = headers(&[("cookie", "golinks_session=gss_plain")]);
        assert_eq!(cookie_value(&plain, cookie_name(true)), None);
        let host = headers(&[("cookie", "__Host-golinks_session=gss_host")]);
        assert_eq!(cookie_value(&host, cookie_name(false)), None);
        assert_eq!(cookie_value(&host, cookie_name(true)), Some("gss_host"));
    }
}
