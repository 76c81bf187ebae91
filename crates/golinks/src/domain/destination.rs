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
    #[error(
        "placeholders ({{1}} … {{*}}) may stand in the path or query, not in the scheme or host"
    )]
    PlaceholderInHost,
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

    /// Refuses a destination at one of this server's own addresses whose path is a link
    /// (not a system page such as `/_/`), since following it would loop. `own_hosts` holds
    /// `host` (this server on the default ports, 80 and 443) or `host:port`; the same host on
    /// another port is another server.
    pub fn refuse_self_reference(&self, own_hosts: &[String]) -> Result<(), DestinationError> {
        let Ok(url) = Url::parse(&with_placeholders_masked(&self.0)) else {
            return Ok(());
        };
        let Some(host) = url.host_str() else {
            return Ok(());
        };
        let port = url.port_or_known_default();
        if !own_hosts.iter().any(|own| is_own_address(own, host, port)) {
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

/// Whether `host` and `port` are the address `own` (`host` or `host:port`) names.
fn is_own_address(own: &str, host: &str, port: Option<u16>) -> bool {
    let (own_host, own_port) = match own.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && (h.ends_with(']') || !h.contains(':')) => {
            (h, p.parse::<u16>().ok())
        }
        _ => (own, None),
    };
    own_host.eq_ignore_ascii_case(host)
        && match own_port {
            Some(own_port) => port == Some(own_port),
            None => matches!(port, None | Some(80 | 443)),
        }
}

/// Whether a placeholder stands in the scheme or the authority (user, host, port) of the
/// masked URL: filled from the request path, it would send people to any site the link's
/// user names (`https://{1}/x` is an open redirect).
fn placeholder_in_authority(masked: &str) -> bool {
    let (scheme, rest) = masked.split_once(':').unwrap_or((masked, ""));
    let authority = rest
        .strip_prefix("//")
        .map_or("", |r| r.split(['/', '?', '#']).next().unwrap_or(""));
    scheme.contains(MASK) || authority.contains(MASK)
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
        if placeholder_in_authority(&masked) {
            return Err(DestinationError::PlaceholderInHost);
        }
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
    fn placeholders_may_not_choose_the_site() {
        for raw in [
            "https://{1}/x",
            "https://{*}",
            "https://docs.{1}/x",
            "https://{1}@example.com/",
            "https://example.com:{1}/",
            "{1}://example.com/",
            "http{1}://example.com/",
        ] {
            assert_eq!(
                Destination::try_from(raw),
                Err(DestinationError::PlaceholderInHost),
                "{raw}"
            );
        }
        for fine in [
            "https://example.com/{1}/x?q={*}",
            "https://example.com/?a={2}#{3}",
        ] {
            assert!(Destination::try_from(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn the_same_host_on_another_port_is_another_server() {
        let default_ports = vec!["go.acme.example".to_owned()];
        let on_8080 = Destination::try_from("http://go.acme.example:8080/x").expect("parses");
        assert_eq!(on_8080.refuse_self_reference(&default_ports), Ok(()));
        for looping in [
            "http://go.acme.example:80/x",
            "https://go.acme.example:443/x",
        ] {
            let d = Destination::try_from(looping).expect("parses");
            assert!(
                d.refuse_self_reference(&default_ports).is_err(),
                "{looping}"
            );
        }
        let served_on_8080 = vec!["go.acme.example:8080".to_owned(), "[::1]:8080".to_owned()];
        assert_eq!(
            on_8080.refuse_self_reference(&served_on_8080),
            Err(DestinationError::PointsAtItself)
        );
        let v6 = Destination::try_from("http://[::1]:8080/docs").expect("parses");
        assert!(v6.refuse_self_reference(&served_on_8080).is_err());
        let elsewhere = Destination::try_from("http://go.acme.example/x").expect("parses");
        assert_eq!(elsewhere.refuse_self_reference(&served_on_8080), Ok(()));
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
