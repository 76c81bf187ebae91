//! Link destinations: absolute `http`, `https` or `mailto` URLs, optionally with placeholders
//! `{1}` … `{9}` and `{*}` that [`crate::resolve`] fills from the extra path segments.
//!
//! The stored string is what goes into `Location` verbatim, so it must be a valid header value:
//! a destination that holds non-ASCII characters or spaces is stored in the URL parser's
//! percent-encoded (and punycode) form; an all-ASCII one is kept exactly as typed.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

pub const MAX_LEN: usize = 4096;

/// The placeholders a destination may hold, in the order [`crate::resolve`] fills them.
pub const PLACEHOLDERS: [&str; 10] = [
    "{1}", "{2}", "{3}", "{4}", "{5}", "{6}", "{7}", "{8}", "{9}", "{*}",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Destination(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("a destination URL is required")]
    Empty,
    #[error("a destination URL is at most {MAX_LEN} characters")]
    TooLong,
    #[error("not a valid absolute URL: {0}")]
    Invalid(String),
    #[error("only http, https and mailto destinations are allowed, not {0:?}")]
    Scheme(String),
    #[error("the destination points back at a go link on this server")]
    PointsAtItself,
}

impl Destination {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn has_placeholders(&self) -> bool {
        PLACEHOLDERS.iter().any(|p| self.0.contains(p))
    }

    pub fn is_mailto(&self) -> bool {
        self.0
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
    }

    /// Refuses a destination on one of this server's own host names whose path is a link
    /// (not a system page such as `/_/`), since following it would loop.
    pub fn refuse_self_reference(&self, own_hosts: &[String]) -> Result<(), DestinationError> {
        let Ok(url) = Url::parse(&with_placeholders_masked(&self.0)) else {
            return Ok(());
        };
        let Some(host) = url.host_str() else {
            return Ok(());
        };
        if !own_hosts.iter().any(|own| own.eq_ignore_ascii_case(host)) {
            return Ok(());
        }
        let first = url
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        match crate::domain::LinkName::key_of(first) {
            Some(key) if !crate::domain::is_reserved(&key) => Err(DestinationError::PointsAtItself),
            _ => Ok(()),
        }
    }
}

/// Placeholders are not URL syntax; the parser would percent-encode their braces.
const MASK: &str = "golinksplaceholder";

fn with_placeholders_masked(raw: &str) -> String {
    PLACEHOLDERS
        .iter()
        .enumerate()
        .fold(raw.to_owned(), |s, (i, p)| {
            s.replace(p, &format!("{MASK}{i}x"))
        })
}

fn with_placeholders_restored(masked: &str) -> String {
    PLACEHOLDERS
        .iter()
        .enumerate()
        .fold(masked.to_owned(), |s, (i, p)| {
            s.replace(&format!("{MASK}{i}x"), p)
        })
}

impl TryFrom<&str> for Destination {
    type Error = DestinationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let value = value.trim();
        if value.is_empty() {
            return Err(DestinationError::Empty);
        }
        if value.len() > MAX_LEN {
            return Err(DestinationError::TooLong);
        }
        let masked = with_placeholders_masked(value);
        let url = Url::parse(&masked).map_err(|e| DestinationError::Invalid(e.to_string()))?;
        match url.scheme() {
            "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {}
            "http" | "https" => return Err(DestinationError::Invalid("a host is required".into())),
            "mailto" => {}
            other => return Err(DestinationError::Scheme(other.to_owned())),
        }
        let header_safe = value.bytes().all(|b| b.is_ascii_graphic());
        let stored = if header_safe {
            value.to_owned()
        } else {
            with_placeholders_restored(url.as_str())
        };
        Ok(Self(stored))
    }
}

impl TryFrom<String> for Destination {
    type Error = DestinationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::try_from(value.as_str())
    }
}

impl From<Destination> for String {
    fn from(d: Destination) -> Self {
        d.0
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_destinations_are_kept_verbatim() {
        for raw in [
            "https://example.com/a?b=c&d=e#frag",
            "http://intranet:8080/x/",
            "mailto:team@example.com?subject=hi",
            "https://jira.example.com/browse/{1}",
            "https://example.com/search?q={*}",
            "https://EXAMPLE.com/Path%20Kept",
        ] {
            assert_eq!(
                Destination::try_from(raw).expect(raw).as_str(),
                raw,
                "{raw}"
            );
        }
    }

    #[test]
    fn non_ascii_and_spaces_are_percent_encoded_and_placeholders_survive() {
        let d = Destination::try_from("https://example.com/größe/{1} x").expect("valid");
        assert_eq!(d.as_str(), "https://example.com/gr%C3%B6%C3%9Fe/{1}%20x");
        let d = Destination::try_from("https://bücher.example/").expect("valid");
        assert_eq!(d.as_str(), "https://xn--bcher-kva.example/");
    }

    #[test]
    fn bad_destinations_are_refused_with_the_reason() {
        let cases = [
            ("", DestinationError::Empty),
            ("   ", DestinationError::Empty),
            (
                "javascript:alert(1)",
                DestinationError::Scheme("javascript".into()),
            ),
            ("ftp://example.com/", DestinationError::Scheme("ftp".into())),
            (
                "file:///etc/passwd",
                DestinationError::Scheme("file".into()),
            ),
            ("data:text/html,hi", DestinationError::Scheme("data".into())),
        ];
        for (raw, expected) in cases {
            assert_eq!(Destination::try_from(raw), Err(expected), "{raw:?}");
        }
        for raw in ["example.com", "/relative", "https://"] {
            assert!(
                matches!(
                    Destination::try_from(raw),
                    Err(DestinationError::Invalid(_))
                ),
                "{raw:?} must be invalid"
            );
        }
    }

    #[test]
    fn a_destination_on_our_own_host_that_names_a_link_is_refused() {
        let hosts = vec!["go".to_owned(), "go.acme.example".to_owned()];
        let looping = Destination::try_from("http://go/docs").expect("parses");
        assert_eq!(
            looping.refuse_self_reference(&hosts),
            Err(DestinationError::PointsAtItself)
        );
        let looping =
            Destination::try_from("https://GO.acme.example/Other-Link/x").expect("parses");
        assert!(looping.refuse_self_reference(&hosts).is_err());
        for fine in [
            "http://go/_/links",
            "https://elsewhere.example/docs",
            "http://go/healthz",
        ] {
            let d = Destination::try_from(fine).expect("parses");
            assert_eq!(d.refuse_self_reference(&hosts), Ok(()), "{fine}");
        }
    }
}
