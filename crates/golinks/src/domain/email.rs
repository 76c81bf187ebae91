//! Email addresses: the person's identity within an organization, compared case-insensitively
//! through [`Email::key`] (RFC 7643 §4.1.1 makes `userName` case-insensitive; we use the
//! primary work email as `userName`).

use std::fmt;

use serde::{Deserialize, Serialize};

pub const MAX_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an email address")]
pub struct EmailError(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form stored in `*_key` columns and compared everywhere.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<&str> for Email {
    type Error = EmailError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let value = value.trim();
        let bad = || EmailError(value.to_owned());
        if value.len() > MAX_LEN || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(bad());
        }
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::try_from(value.as_str())
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_their_spelling_and_compare_by_lowercase_key() {
        let e = Email::try_from(" Ada.Lovelace@Acme.Example ").expect("valid");
        assert_eq!(e.as_str(), "Ada.Lovelace@Acme.Example");
        assert_eq!(e.key(), "ada.lovelace@acme.example");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "plain",
            "@acme.example",
            "ada@",
            "ada@.acme",
            "a b@acme.example",
            "ada@acme.",
        ] {
            assert!(Email::try_from(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
