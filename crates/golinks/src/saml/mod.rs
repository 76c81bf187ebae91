//! SAML 2.0 service provider: our metadata, the AuthnRequest we send (HTTP-Redirect binding),
//! and the verification of the Response the identity provider posts back (HTTP-POST binding).
//!
//! Signatures are checked by a [`SamlVerifier`] (xmlsec through samael today); every other rule
//! — who signed, for whom, when, in answer to what, and the document's shape — is checked here,
//! in our code, so that replacing the library cannot loosen them.

mod authn_request;
mod inspect;
mod lockdown;
mod metadata;
mod refusal;
mod response;
mod verifier;

pub use authn_request::{AuthnRequest, authn_request};
pub use metadata::{IdpMetadata, MetadataError, parse_idp_metadata, sp_metadata};
pub use refusal::Refusal;
pub use response::{Verified, verify_response};
pub use verifier::{SamlVerifier, XmlSecVerifier};

use time::Duration;

/// How far the identity provider's clock may be from ours (NotBefore / NotOnOrAfter).
pub const CLOCK_SKEW: Duration = Duration::minutes(2);

/// How long an AuthnRequest we sent may be answered.
pub const REQUEST_LIFETIME: Duration = Duration::minutes(10);

/// The largest base64 `SAMLResponse` accepted; real ones are a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// How many Responses are verified at once (each on a blocking thread, in C); more wait up to
/// [`VERIFICATION_WAIT`], then are told to come back.
pub const CONCURRENT_VERIFICATIONS: usize = 2;

/// How long a Response waits for a free verification slot.
pub const VERIFICATION_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// This service provider as the identity provider knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProvider {
    pub entity_id: String,
    pub acs_url: String,
}

impl ServiceProvider {
    /// The SP at `base` (`https://go.acme.example`, no trailing slash).
    pub fn at(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        ServiceProvider {
            entity_id: format!("{base}/saml/metadata"),
            acs_url: format!("{base}/saml/acs"),
        }
    }
}

/// The identity provider an organization trusts, and its sign-in rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpSettings {
    pub entity_id: String,
    pub sso_url: String,
    /// DER signing certificates (two while the IdP rotates its key).
    pub certificates: Vec<Vec<u8>>,
    /// Where the SP is reached; `None`: the request's own scheme and host.
    pub sp_base_url: Option<String>,
    /// Create unknown people at their first sign-in.
    pub jit: bool,
    /// Accept responses that answer no request of ours (a tile in the IdP's portal).
    pub idp_initiated: bool,
    /// The attribute holding the email; `None`: the NameID.
    pub email_attribute: Option<String>,
}
