//! The session cookie (a 256-bit random secret; only its digest is stored), the extractor
//! that reads it, and the CSRF rule for forms that change something.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};

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

/// Whether the request came over TLS, directly or through a proxy that says so.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// `scheme://host[:port]` as this request reached us (through a TLS proxy: https).
pub fn request_origin(headers: &HeaderMap) -> String {
    let scheme = if is_https(headers) { "https" } else { "http" };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
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
    state
        .store
        .create_session(org, user, &secret.digest(), expires_at, agent)
        .await?;
    Ok(set_cookie(&secret, lifetimes, is_https(headers)))
}

/// `raw` if it is a path on this server (`/x`), never another site (`//evil`, `/\evil`,
/// `https://…`): where sign-in may send a person afterwards.
pub fn local_path(raw: &str) -> Option<&str> {
    let rest = raw.strip_prefix('/')?;
    let ok = raw.len() <= 2048
        && !rest.starts_with('/')
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    ok.then_some(raw)
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

/// CSRF: a request that changes something with cookie authentication must come from our own
/// pages. Browsers say where a request comes from in `Sec-Fetch-Site` or `Origin`; a request
/// with neither (curl, scripts) carries no ambient browser cookie to abuse.
pub fn same_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
        (None, _) => true,
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
    fn only_local_paths_are_places_to_return_to() {
        for ok in ["/", "/wiki", "/_/links?q=a%20b", "/my/x/y"] {
            assert_eq!(local_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "wiki",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "/a\nb",
            "/a\\b",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(3000))), None);
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

    #[test]
    fn cross_site_form_posts_are_refused() {
        let post = Method::POST;
        let cases = [
            (
                "same-origin fetch",
                vec![("sec-fetch-site", "same-origin")],
                true,
            ),
            (
                "cross-site fetch",
                vec![("sec-fetch-site", "cross-site")],
                false,
            ),
            (
                "same-site other subdomain",
                vec![("sec-fetch-site", "same-site")],
                false,
            ),
            (
                "matching origin",
                vec![
                    ("origin", "https://go.acme.example"),
                    ("host", "go.acme.example"),
                ],
                true,
            ),
            (
                "foreign origin",
                vec![
                    ("origin", "https://evil.example"),
                    ("host", "go.acme.example"),
                ],
                false,
            ),
            ("no browser headers", vec![], true),
        ];
        for (case, pairs, expected) in cases {
            assert_eq!(
                same_origin(&post, &headers(&pairs)),
                expected,
                "case: {case}"
            );
        }
        assert!(same_origin(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
    }
}
