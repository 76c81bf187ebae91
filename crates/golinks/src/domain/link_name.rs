//! Link names: the one place that says which spellings are allowed and which are the same name.
//!
//! Rules (documented for users in `docs/links.md`):
//! - 1 to 100 characters: ASCII letters, digits, `-`, `_` and `.`;
//! - the first and the last character are a letter or a digit;
//! - matching ignores case, `-` and `_`: `All-Hands`, `all_hands` and `allhands` are one name;
//! - names whose key is a reserved system path (`scim`, `healthz`, ...) are refused.
//!
//! The spelling a person typed is kept for display; [`LinkName::key`] is what is stored and
//! compared everywhere (store, in-memory index, import).

use std::fmt;

use serde::{Deserialize, Serialize};

pub const MAX_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LinkName {
    display: String,
    key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkNameError {
    #[error("a name cannot be empty")]
    Empty,
    #[error("a name is at most {MAX_LEN} characters")]
    TooLong,
    #[error("a name may hold only letters, digits, '-', '_' and '.'; found {0:?}")]
    BadCharacter(char),
    #[error("a name starts and ends with a letter or a digit")]
    BadEdge,
    #[error("{0:?} is reserved for the system")]
    Reserved(String),
}

impl LinkName {
    /// The spelling as typed, e.g. `All-Hands`.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The normalized form that identifies the name, e.g. `allhands`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key of a candidate spelling, or `None` when it is not a valid name.
    /// Used on the redirect path, where an invalid name is simply a miss.
    pub fn key_of(candidate: &str) -> Option<String> {
        check_syntax(candidate).ok().map(|()| normalize(candidate))
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn check_syntax(name: &str) -> Result<(), LinkNameError> {
    if name.is_empty() {
        return Err(LinkNameError::Empty);
    }
    if name.len() > MAX_LEN {
        return Err(LinkNameError::TooLong);
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(LinkNameError::BadCharacter(bad));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Err(LinkNameError::BadEdge);
    }
    Ok(())
}

impl TryFrom<&str> for LinkName {
    type Error = LinkNameError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let value = value.trim();
        check_syntax(value)?;
        let key = normalize(value);
        if crate::domain::is_reserved(&key) {
            return Err(LinkNameError::Reserved(value.to_owned()));
        }
        Ok(Self {
            display: value.to_owned(),
            key,
        })
    }
}

impl TryFrom<String> for LinkName {
    type Error = LinkNameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::try_from(value.as_str())
    }
}

impl From<LinkName> for String {
    fn from(name: LinkName) -> Self {
        name.display
    }
}

impl fmt::Display for LinkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spellings_that_differ_in_case_dashes_and_underscores_share_a_key() {
        for spelling in [
            "All-Hands",
            "all_hands",
            "allhands",
            "ALL-hands",
            "a-l-l_hands",
        ] {
            let name = LinkName::try_from(spelling).expect(spelling);
            assert_eq!(name.key(), "allhands", "spelling {spelling}");
            assert_eq!(name.as_str(), spelling, "display kept for {spelling}");
        }
    }

    #[test]
    fn invalid_names_are_refused_with_the_reason() {
        let cases = [
            ("", LinkNameError::Empty),
            ("has space", LinkNameError::BadCharacter(' ')),
            ("slash/inside", LinkNameError::BadCharacter('/')),
            ("ünicode", LinkNameError::BadCharacter('ü')),
            ("-leading", LinkNameError::BadEdge),
            ("trailing.", LinkNameError::BadEdge),
            ("_", LinkNameError::BadEdge),
        ];
        for (input, expected) in cases {
            assert_eq!(LinkName::try_from(input), Err(expected), "input {input:?}");
        }
        assert_eq!(
            LinkName::try_from("x".repeat(MAX_LEN + 1).as_str()),
            Err(LinkNameError::TooLong)
        );
        assert!(LinkName::try_from("x".repeat(MAX_LEN).as_str()).is_ok());
    }

    #[test]
    fn reserved_system_paths_cannot_be_names_in_any_spelling() {
        for spelling in [
            "scim", "SCIM", "health-z", "ready_z", "metrics", "saml", "my",
        ] {
            assert!(
                matches!(
                    LinkName::try_from(spelling),
                    Err(LinkNameError::Reserved(_))
                ),
                "{spelling} must be reserved"
            );
        }
    }

    #[test]
    fn dots_are_allowed_inside_names() {
        let name = LinkName::try_from("docs.v2").expect("valid");
        assert_eq!(name.key(), "docs.v2");
    }

    proptest! {
        #[test]
        fn valid_names_round_trip_through_serde(name in "[a-zA-Z0-9][a-zA-Z0-9._-]{0,40}[a-zA-Z0-9]") {
            if let Ok(parsed) = LinkName::try_from(name.as_str()) {
                let json = serde_json::to_string(&parsed).expect("serialize");
                let back: LinkName = serde_json::from_str(&json).expect("deserialize");
                prop_assert_eq!(&back, &parsed);
                let key = LinkName::key_of(&name);
                prop_assert_eq!(key.as_deref(), Some(parsed.key()));
            }
        }

        #[test]
        fn keys_are_idempotent(name in "[a-zA-Z0-9][a-zA-Z0-9._-]{0,40}[a-zA-Z0-9]") {
            if let Some(key) = LinkName::key_of(&name) {
                prop_assert_eq!(LinkName::key_of(&key), Some(key.clone()));
            }
        }
    }
}
