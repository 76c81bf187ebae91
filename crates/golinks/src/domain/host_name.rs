//! Host names that reach an organization (`go`, `go.acme.example`): a DNS name (RFC 1123
//! §2.1 labels), stored lowercase without the root's trailing dot, compared as stored. They
//! are the operator's to give (`golinks org create|set --host`), never a web form's.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a host name (like go or go.acme.example)")]
pub struct HostNameError(String);

impl HostName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for HostName {
    type Error = HostNameError;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        // `go.acme.example.` (fully qualified) is the same host as `go.acme.example`.
        let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if valid {
            Ok(Self(host))
        } else {
            Err(HostNameError(raw.to_owned()))
        }
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_dns_names_stored_lowercase() {
        for (raw, stored) in [
            ("go", "go"),
            ("GO.Acme.example.", "go.acme.example"),
            ("links-1.acme.example", "links-1.acme.example"),
        ] {
            assert_eq!(HostName::try_from(raw).map(|h| h.0), Ok(stored.to_owned()));
        }
        for bad in [
            "",
            ".",
            "evil_host",
            "-go",
            "go-",
            "a..b",
            "go.acme.example:8080",
            "go/x",
            "gö",
        ] {
            assert!(HostName::try_from(bad).is_err(), "{bad:?}");
        }
        assert!(HostName::try_from("a".repeat(64).as_str()).is_err());
    }
}
