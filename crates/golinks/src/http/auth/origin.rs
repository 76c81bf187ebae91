//! Where a request comes from: this server's origin as the request reached it, the
//! same-origin rule that stops cross-site form posts (CSRF), and the local paths sign-in may
//! return to.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::PageError;

/// Whether the request came over TLS, through a proxy that says so. Only a trusted proxy's
/// `X-Forwarded-Proto` is still there to read: [`super::client::layer`] removes an untrusted
/// peer's.
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

/// Extracting this refuses a request that changes something when it comes from another site
/// (CSRF, see [`same_origin`]); safe methods pass.
pub struct SameOrigin;

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if same_origin(&parts.method, &parts.headers) {
            Ok(SameOrigin)
        } else {
            Err(PageError::new(
                StatusCode::FORBIDDEN,
                "This form was sent from another site. Go back to go/ and try again.",
            )
            .into_response())
        }
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
