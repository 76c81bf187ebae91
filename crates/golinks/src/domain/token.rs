//! Bearer secrets: 32 random bytes shown once with a prefix that says what they are for,
//! stored only as their SHA-256 digest.

use std::fmt;

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// For the identity provider's SCIM client.
    Scim,
    /// A person's personal token for the JSON API.
    Api,
    /// A one-time sign-in link.
    Login,
    /// A browser session's cookie.
    Session,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Scim => "gls_",
            TokenKind::Api => "gla_",
            TokenKind::Login => "gll_",
            TokenKind::Session => "gss_",
        }
    }
}

/// A freshly made secret. `Debug` never shows it.
pub struct Secret(String);

impl Secret {
    pub fn generate(kind: TokenKind) -> Self {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        let mut text = String::with_capacity(4 + 64);
        text.push_str(kind.prefix());
        for b in bytes {
            text.push_str(&format!("{b:02x}"));
        }
        Self(text)
    }

    /// The secret itself: print it once, never log it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> Vec<u8> {
        digest(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Whether `presented` has the exact form of a `kind` secret as [`Secret::generate`] makes
/// it: the prefix and 64 lowercase hex digits. Anything else is not worth a lookup, and is
/// never echoed into a page.
pub fn is_well_formed(kind: TokenKind, presented: &str) -> bool {
    presented.strip_prefix(kind.prefix()).is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The stored form of a presented token.
pub fn digest(presented: &str) -> Vec<u8> {
    Sha256::digest(presented.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_their_prefix_and_never_show_in_debug() {
        let s = Secret::generate(TokenKind::Scim);
        assert!(s.reveal().starts_with("gls_"));
        assert_eq!(s.reveal().len(), 4 + 64);
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.digest(), digest(s.reveal()));
        assert_ne!(Secret::generate(TokenKind::Api).reveal(), s.reveal());
    }

    #[test]
    fn only_a_generated_shape_is_well_formed() {
        let login = Secret::generate(TokenKind::Login);
        assert!(is_well_formed(TokenKind::Login, login.reveal()));
        let hex = "0f".repeat(32);
        for bad in [
            format!("gla_{hex}"),
            format!("gll_{hex}0"),
            format!("gll_{}", &hex[1..]),
            format!("gll_{}", hex.to_uppercase()),
            format!("gll_../{}", &hex[3..]),
            "gll_".to_owned(),
            String::new(),
        ] {
            assert!(!is_well_formed(TokenKind::Login, &bad), "{bad:?}");
        }
    }
}
