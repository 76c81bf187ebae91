//! First path segments that belong to the system, never to a link: the web UI and JSON API
//! (`/_/`), private links (`/my/`), SCIM, SAML, health, metrics and the files browsers ask
//! for. A rule about names, so it lives here; the router reads it.

/// Compared with link-name keys, so no spelling of a link name can shadow them.
pub const RESERVED: &[&str] = &[
    "_",
    "my",
    "scim",
    "saml",
    "healthz",
    "readyz",
    "metrics",
    "favicon.ico",
    "robots.txt",
];

/// Whether a link-name key is a reserved first path segment.
pub fn is_reserved(key: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LinkName, LinkNameError};

    #[test]
    fn no_reserved_path_can_be_saved_as_a_link_name() {
        for reserved in RESERVED {
            match LinkName::try_from(*reserved) {
                Err(LinkNameError::Reserved(_) | LinkNameError::BadEdge) => {}
                other => panic!("{reserved} must not be a link name, got {other:?}"),
            }
        }
    }
}
