//! Why a Response was refused. On its own (it needs nothing but `thiserror`) so that the fuzz
//! target of the pre-scan (`fuzz/`) can include it with `inspect.rs` without the whole crate.

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
    /// A signature shape no identity provider sends: a reference to anything but the signed
    /// element's ID, a transform, an Object, a Manifest, a RetrievalMethod...
    #[error("the signature is refused: {0}")]
    Signature(String),
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
    #[error(
        "the response answers a sign-in started in another browser (or this browser's sign-in \
         cookie is gone); start again from this browser"
    )]
    OtherBrowser,
    #[error("sign-in started at the identity provider is turned off for this organization")]
    IdpInitiatedOff,
    #[error("this assertion was used already")]
    Replay,
    #[error("the assertion carries no usable email ({0})")]
    NoEmail(String),
}

/// The most characters of a refusal shown on the page or written to the log: the values it
/// quotes come from the unauthenticated document and may be as long as the whole post.
const MAX_SHOWN: usize = 300;

impl Refusal {
    /// The refusal's kind, a fixed word for the metrics' `outcome` label (never the text,
    /// which quotes the unauthenticated document).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::NotBase64 => "not_base64",
            Self::NotUtf8 => "not_utf8",
            Self::Malformed(_) => "malformed",
            Self::Doctype => "doctype",
            Self::Comment => "comment",
            Self::Shape { .. } => "shape",
            Self::Encrypted => "encrypted",
            Self::Unsigned => "unsigned",
            Self::Algorithm(_) => "algorithm",
            Self::Signature(_) => "signature",
            Self::BadSignature => "bad_signature",
            Self::Status(_) => "status",
            Self::Issuer { .. } => "issuer",
            Self::Destination { .. } => "destination",
            Self::NoDestination => "no_destination",
            Self::Audience { .. } => "audience",
            Self::NoAudience => "no_audience",
            Self::Recipient { .. } => "recipient",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::NoBearer => "no_bearer",
            Self::NoAuthnStatement => "no_authn_statement",
            Self::NoSubject => "no_subject",
            Self::InResponseToMismatch => "in_response_to_mismatch",
            Self::UnknownRequest => "unknown_request",
            Self::OtherBrowser => "other_browser",
            Self::IdpInitiatedOff => "idp_initiated_off",
            Self::Replay => "replay",
            Self::NoEmail(_) => "no_email",
        }
    }

    /// The reason for the refusal page: bounded in length (askama escapes the HTML).
    pub fn for_page(&self) -> String {
        bounded(&self.to_string())
    }

    /// The reason for a log line: bounded, and with control and bidirectional-formatting
    /// characters escaped, so that a value holding a newline or an ANSI escape cannot forge or
    /// hide log lines.
    pub fn for_log(&self) -> String {
        escape_for_log(&self.to_string())
    }
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `text`, bounded, with every control character (C0, DEL, C1) and the Unicode format
/// characters that reorder or hide text written as Rust escapes (`\n`, `\u{1b}`, `\u{202e}`).
pub fn escape_for_log(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    bounded(text)
        .chars()
        .map(|c| {
            if hidden(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_values_cannot_forge_log_lines() {
        // Status quotes the value as sent (no Debug quoting of its own).
        let forged = Refusal::Status(
            "urn:x\n2026-01-01T00:00:00Z  INFO signed in with SAML \u{1b}[2K\u{202e}x".into(),
        );
        let line = forged.for_log();
        for hidden in ['\n', '\r', '\u{1b}', '\u{202e}'] {
            assert!(!line.contains(hidden), "{line}");
        }
        assert!(line.contains("\\n2026-01-01"), "{line}");
        assert!(line.contains("\\u{1b}[2K"), "{line}");
        assert!(line.contains("\\u{202e}"), "{line}");
        assert!(line.starts_with("the identity provider did not sign anyone in (status urn:x"));

        let long = Refusal::Algorithm("a".repeat(100_000));
        assert!(long.for_log().chars().count() <= MAX_SHOWN + 1);
        assert!(long.for_page().ends_with('…'));
        assert!(long.for_page().chars().count() <= MAX_SHOWN + 1);
        let short = Refusal::Status("urn:x".into());
        assert_eq!(short.for_page(), short.to_string());
    }
}
