//! An organization's canonical base URL (`https://go.acme.example`): where its people sign in
//! and where their session cookie lives. Requests on its other host names (short aliases such
//! as `go`) are sent there (`http::canonical`).

use std::fmt;

/// `http(s)://HOST[:PORT]` with no path, query or fragment; stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://go.acme.example:8443`: what a redirect's path is appended to.
    origin: String,
    /// The host, lowercase, without the root's trailing dot.
    host: String,
    /// The port requests reach, the scheme's default when the URL names none.
    port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a base URL: give http(s)://HOST[:PORT] with no path, like https://go.acme.example"
)]
pub struct BaseUrlError(String);

impl BaseUrl {
    /// `https://go.acme.example` (no trailing slash).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `go.acme.example` or `go.acme.example:8443`: the `Host` a browser sends for it.
    pub fn authority(&self) -> String {
        if self.port == self.default_port() {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Whether a `Host` header names this URL's host and port: case, a trailing dot and an
    /// explicit default port do not matter (RFC 9110 §4.2.3). Allocates nothing: it runs on
    /// every redirect.
    pub fn is_host(&self, header: &str) -> bool {
        let (name, port) = match header.rfind(':') {
            Some(i) if !header[i..].contains(']') => (&header[..i], header[i + 1..].parse().ok()),
            _ => (header, Some(self.default_port())),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        port == Some(self.port) && name.eq_ignore_ascii_case(&self.host)
    }

    fn default_port(&self) -> u16 {
        if self.origin.starts_with("https:") {
            443
        } else {
            80
        }
    }
}

impl TryFrom<&str> for BaseUrl {
    type Error = BaseUrlError;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let refused = || BaseUrlError(raw.to_owned());
        let url = url::Url::parse(raw.trim()).map_err(|_| refused())?;
        let host = url.host_str().ok_or_else(refused)?;
        if !matches!(url.scheme(), "http" | "https")
            || url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(refused());
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let port = url.port_or_known_default().ok_or_else(refused)?;
        // `Url` drops a default port itself, so the origin is the canonical spelling.
        let origin = url.origin().ascii_serialization();
        Ok(BaseUrl { origin, host, port })
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_origins_without_a_path() {
        for (raw, origin) in [
            ("https://go.acme.example", "https://go.acme.example"),
            ("https://GO.acme.example/", "https://go.acme.example"),
            ("https://go.acme.example:443", "https://go.acme.example"),
            ("http://localhost:8080", "http://localhost:8080"),
        ] {
            let url = BaseUrl::try_from(raw).expect(raw);
            assert_eq!(url.origin(), origin, "{raw}");
        }
        for bad in [
            "",
            "go.acme.example",
            "ftp://go.acme.example",
            "https://go.acme.example/links",
            "https://go.acme.example/?a=1",
            "https://u:p@go.acme.example",
            "https://",
        ] {
            assert!(BaseUrl::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_host_header_matches_whatever_its_case_trailing_dot_or_default_port() {
        let url = BaseUrl::try_from("https://go.acme.example").expect("url");
        for same in [
            "go.acme.example",
            "GO.Acme.Example",
            "go.acme.example.",
            "go.acme.example:443",
        ] {
            assert!(url.is_host(same), "{same}");
        }
        for other in [
            "go",
            "go.acme.example:8443",
            "go.acme.example:80",
            "go.acme.example.evil",
            "",
        ] {
            assert!(!url.is_host(other), "{other}");
        }
        let local = BaseUrl::try_from("http://127.0.0.1:8080").expect("url");
        assert!(local.is_host("127.0.0.1:8080"));
        assert!(!local.is_host("127.0.0.1"));
        assert_eq!(local.authority(), "127.0.0.1:8080");
        let v6 = BaseUrl::try_from("https://[::1]:8443").expect("url");
        assert!(v6.is_host("[::1]:8443"));
        assert!(!v6.is_host("[::1]"));
    }
}
