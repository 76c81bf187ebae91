//! A first look at a Response before any signature is checked: shapes that no honest identity
//! provider sends, and that XML signature-wrapping attacks need, are refused here, by a plain
//! namespace-aware scan that trusts nothing in the document.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::Refusal;

pub const PROTOCOL_NS: &[u8] = b"urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION_NS: &[u8] = b"urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG_NS: &[u8] = b"http://www.w3.org/2000/09/xmldsig#";

/// Deeper than any real Response (about 8 levels); a deeper one is refused unread.
const MAX_DEPTH: usize = 64;

/// Signature and digest algorithms accepted: SHA-256 or stronger (SHA-1 and MD5 are refused).
pub const SIGNATURE_ALGORITHMS: &[&str] = &[
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
];
pub const DIGEST_ALGORITHMS: &[&str] = &[
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
];

/// What the scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub signatures: usize,
}

/// Refuses what must never reach the XML signature library or the parser that reads the
/// identity: a DOCTYPE (entity expansion, XXE), comments and processing instructions (a comment
/// inside NameID splits the text a reader sees from the text that was signed), anything but
/// exactly one `Response` holding exactly one `Assertion` (every XSW shape adds a second one),
/// encrypted assertions (we publish no encryption key), and signature or digest algorithms
/// outside the allow-list.
pub fn inspect(xml: &str) -> Result<Shape, Refusal> {
    let mut reader = NsReader::from_str(xml);
    let mut shape = Shape::default();
    let (mut responses, mut assertions, mut depth) = (0usize, 0usize, 0usize);
    let mut seen_root = false;
    loop {
        let event = reader
            .read_resolved_event()
            .map_err(|e| Refusal::Malformed(e.to_string()))?;
        let (ns, element, empty) = match event {
            (_, Event::Eof) => break,
            (_, Event::DocType(_)) => return Err(Refusal::Doctype),
            (_, Event::Comment(_)) => return Err(Refusal::Comment),
            (_, Event::PI(_)) => {
                return Err(Refusal::Malformed("processing instruction".into()));
            }
            (_, Event::End(_)) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            (ns, Event::Start(e)) => (ns, e, false),
            (ns, Event::Empty(e)) => (ns, e, true),
            _ => continue,
        };
        if !empty {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(Refusal::Malformed("nested too deeply".into()));
            }
        }
        let local = element.local_name();
        let local = local.as_ref();
        let in_ns = |want: &[u8]| matches!(ns, ResolveResult::Bound(Namespace(n)) if n == want);
        if !seen_root {
            seen_root = true;
            if !(in_ns(PROTOCOL_NS) && local == b"Response") {
                return Err(Refusal::Malformed(
                    "the document is not a SAML Response".into(),
                ));
            }
        }
        if in_ns(PROTOCOL_NS) && local == b"Response" {
            responses += 1;
        } else if in_ns(ASSERTION_NS) && local == b"Assertion" {
            assertions += 1;
        } else if in_ns(ASSERTION_NS) && local == b"EncryptedAssertion" {
            return Err(Refusal::Encrypted);
        } else if in_ns(DSIG_NS) && local == b"Signature" {
            shape.signatures += 1;
        } else if in_ns(DSIG_NS) && (local == b"SignatureMethod" || local == b"DigestMethod") {
            let algorithm = element
                .try_get_attribute("Algorithm")
                .map_err(|e| Refusal::Malformed(e.to_string()))?
                .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                .unwrap_or_default();
            let allowed = if local == b"SignatureMethod" {
                SIGNATURE_ALGORITHMS
            } else {
                DIGEST_ALGORITHMS
            };
            if !allowed.contains(&algorithm.as_str()) {
                return Err(Refusal::Algorithm(algorithm));
            }
        }
    }
    if responses != 1 || assertions != 1 {
        return Err(Refusal::Shape {
            responses,
            assertions,
        });
    }
    if shape.signatures == 0 {
        return Err(Refusal::Unsigned);
    }
    Ok(shape)
}

/// The local name of the document's root element.
pub fn root_name(xml: &str) -> Option<String> {
    let mut reader = NsReader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Assertion><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></ds:Reference></ds:SignedInfo></ds:Signature></saml:Assertion></samlp:Response>"#;

    #[test]
    fn a_plain_signed_response_passes() {
        assert_eq!(inspect(OK), Ok(Shape { signatures: 1 }));
        assert_eq!(root_name(OK).as_deref(), Some("Response"));
    }

    #[test]
    fn refused_shapes() {
        let sha1 = OK.replace(
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        );
        let cases: Vec<(&str, String, Refusal)> = vec![
            (
                "doctype",
                format!("<!DOCTYPE r [<!ENTITY x \"y\">]>{OK}"),
                Refusal::Doctype,
            ),
            (
                "comment",
                OK.replace("<saml:Assertion>", "<saml:Assertion><!-- x -->"),
                Refusal::Comment,
            ),
            (
                "second assertion",
                OK.replace(
                    "<saml:Assertion>",
                    "<saml:Assertion></saml:Assertion><saml:Assertion>",
                ),
                Refusal::Shape {
                    responses: 1,
                    assertions: 2,
                },
            ),
            (
                "assertion under another prefix",
                OK.replace(
                    "<saml:Assertion>",
                    "<x:Assertion xmlns:x=\"urn:oasis:names:tc:SAML:2.0:assertion\"/><saml:Assertion>",
                ),
                Refusal::Shape {
                    responses: 1,
                    assertions: 2,
                },
            ),
            (
                "encrypted",
                OK.replace("<saml:Assertion>", "<saml:EncryptedAssertion/><saml:Assertion>"),
                Refusal::Encrypted,
            ),
            (
                "sha1",
                sha1,
                Refusal::Algorithm("http://www.w3.org/2000/09/xmldsig#rsa-sha1".into()),
            ),
            (
                "unsigned",
                OK.replace("ds:Signature", "ds:Nothing"),
                Refusal::Unsigned,
            ),
            (
                "not a response",
                OK.replace("samlp:Response", "samlp:LogoutResponse"),
                Refusal::Malformed("the document is not a SAML Response".into()),
            ),
        ];
        for (case, xml, expected) in cases {
            assert_eq!(inspect(&xml), Err(expected), "case: {case}");
        }
        let deep = format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}{}</samlp:Response>",
            "<a>".repeat(100),
            "</a>".repeat(100)
        );
        assert_eq!(
            inspect(&deep),
            Err(Refusal::Malformed("nested too deeply".into()))
        );
    }
}
