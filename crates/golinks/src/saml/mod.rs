//! SAML 2.0 service provider: our metadata, the AuthnRequest we send (HTTP-Redirect binding),
//! and the verification of the Response the identity provider posts back (HTTP-POST binding).
//!
//! Signatures are checked by a [`SamlVerifier`] (xmlsec through samael today); every other rule
//! — who signed, for whom, when, in answer to what, and the document's shape — is checked here,
//! in our code, so that replacing the library cannot loosen them.

mod authn_request;
mod inspect;
mod metadata;
mod response;
mod verifier;

pub use authn_request::{AuthnRequest, authn_request};
pub use metadata::{IdpMetadata, MetadataError, parse_idp_metadata, sp_metadata};
pub use response::{Verified, verify_response};
pub use verifier::{SamlVerifier, XmlSecVerifier};

use time::Duration;

/// How far the identity provider's clock may be from ours (NotBefore / NotOnOrAfter).
pub const CLOCK_SKEW: Duration = Duration::minutes(2);

/// How long an AuthnRequest we sent may be answered.
pub const REQUEST_LIFETIME: Duration = Duration::minutes(10);

/// The largest base64 `SAMLResponse` accepted; real ones are a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

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

/// Why a Response was refused. The text is shown on the refusal page and logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the response is too large")]
    TooLarge,
    #[error("the response is not valid base64")]
    NotBase64,
    #[error("the response is not UTF-8 text")]
    NotUtf8,
    #[error("the response is not well-formed SAML: {0}")]
    Malformed(String),
    #[error("the response contains a DOCTYPE, which SAML forbids")]
    Doctype,
    #[error("the response contains an XML comment, which no identity provider sends")]
    Comment,
    #[error(
        "the response must hold exactly one Response with one Assertion (found {responses} and {assertions})"
    )]
    Shape { responses: usize, assertions: usize },
    #[error(
        "the response holds an encrypted assertion; turn assertion encryption off at the identity provider"
    )]
    Encrypted,
    #[error(
        "the response is not signed; the identity provider must sign the assertion or the response"
    )]
    Unsigned,
    #[error("the signature algorithm {0} is refused; use RSA-SHA256 or stronger")]
    Algorithm(String),
    #[error("the signature does not verify with the identity provider's certificate")]
    BadSignature,
    #[error("the identity provider did not sign anyone in (status {0})")]
    Status(String),
    #[error("the response was issued by {got:?}, not by the configured identity provider")]
    Issuer { got: String },
    #[error("the response is addressed to {got:?}, not to this service ({want})")]
    Destination { got: String, want: String },
    #[error("the signed response names no Destination")]
    NoDestination,
    #[error("the assertion is for the audience {got:?}, not for this service ({want})")]
    Audience { got: String, want: String },
    #[error("the assertion has no audience restriction")]
    NoAudience,
    #[error("the assertion is for the recipient {got:?}, not for this service ({want})")]
    Recipient { got: String, want: String },
    #[error("the assertion has expired")]
    Expired,
    #[error("the assertion is not valid yet; check the clocks of both servers")]
    NotYetValid,
    #[error("the assertion has no bearer subject confirmation")]
    NoBearer,
    #[error("the assertion has no authentication statement")]
    NoAuthnStatement,
    #[error("the assertion names nobody (no NameID)")]
    NoSubject,
    #[error("the response and its assertion answer different requests")]
    InResponseToMismatch,
    #[error("the response answers no sign-in request of ours, or one already answered")]
    UnknownRequest,
    #[error("sign-in started at the identity provider is turned off for this organization")]
    IdpInitiatedOff,
    #[error("this assertion was used already")]
    Replay,
    #[error("the assertion carries no usable email ({0})")]
    NoEmail(String),
}
