//! Request ids: a per-process random prefix and a counter, cheaper than a UUID per request
//! on the redirect path, and unique across replicas in practice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderValue, Request, Uri};
use tracing::Span;

#[derive(Clone)]
pub struct Counter {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for Counter {
    fn default() -> Self {
        let prefix: u32 = rand::random();
        Self {
            prefix: format!("{prefix:08x}").into(),
            next: Arc::default(),
        }
    }
}

impl Counter {
    /// The next request id.
    pub fn next(&self) -> HeaderValue {
        use std::fmt::Write;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut id = String::with_capacity(self.prefix.len() + 21);
        let _ = write!(id, "{}-{n}", self.prefix);
        // The string's buffer becomes the value's: one allocation, no copy.
        HeaderValue::from_maybe_shared(Bytes::from(id))
            .unwrap_or_else(|_| HeaderValue::from_static("-"))
    }
}

pub fn span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let uri = redacted(request.uri());
    tracing::info_span!("request", id, method = %request.method(), uri = %uri)
}

/// Query parameters whose values say nothing about anyone (paging and ordering).
const HARMLESS: [&str; 5] = ["page", "sort", "order", "startIndex", "count"];

/// The URI as it may be logged: secrets in the path (one-time sign-in links, tokens) become
/// their prefix and `…`; query values become `[redacted]` — they hold search terms, return
/// paths and, on SCIM, filters naming people (`userName eq "alice@…"`) — except the paging
/// and ordering ones, and on `/scim/` all of them.
pub fn redacted(uri: &Uri) -> String {
    let path = uri.path();
    let mut out = String::with_capacity(path.len() + 16);
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&redacted_segment(segment, &out));
    }
    let scim = path.starts_with("/scim/");
    if let Some(query) = uri.query() {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if scim || !HARMLESS.contains(&key) => format!("{key}=[redacted]"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// One path segment: a secret (it has a token prefix, or follows `/_/login/`) is cut to its
/// prefix.
fn redacted_segment(segment: &str, before: &str) -> String {
    use crate::domain::TokenKind;
    let prefix = [
        TokenKind::Login,
        TokenKind::Session,
        TokenKind::Api,
        TokenKind::Scim,
    ]
    .iter()
    .map(|k| k.prefix())
    .find(|p| segment.starts_with(p));
    match prefix {
        Some(prefix) => format!("{prefix}…"),
        None if before == "/_/login/" && !segment.is_empty() => "[redacted]".to_owned(),
        None => segment.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_personal_query_values_are_not_logged() {
        let cases = [
            ("/_/login/gll_s3cret", "/_/login/gll_…"),
            ("/_/login/typo-s3cret", "/_/login/[redacted]"),
            (
                "/scim/v2/Users?filter=userName%20eq%20%22alice%40acme.example%22&startIndex=1",
                "/scim/v2/Users?filter=[redacted]&startIndex=[redacted]",
            ),
            (
                "/_/links?q=salary%20review&page=2",
                "/_/links?q=[redacted]&page=2",
            ),
            (
                "/saml/login?next=/private-thing",
                "/saml/login?next=[redacted]",
            ),
            ("/_/api/v1/links", "/_/api/v1/links"),
            (
                "/_/api/v1/me/tokens/gla_abc/x",
                "/_/api/v1/me/tokens/gla_…/x",
            ),
        ];
        for (raw, expected) in cases {
            let uri: Uri = raw.parse().expect("uri");
            assert_eq!(redacted(&uri), expected, "{raw}");
        }
    }
}
