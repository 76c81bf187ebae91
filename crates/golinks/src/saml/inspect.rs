//! A first look at a Response before any signature is checked: shapes that no honest identity
//! provider sends, and that XML signature-wrapping attacks need, are refused here, by a plain
//! namespace-aware scan that trusts nothing in the document.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
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

/// Transforms accepted in a Reference (XML-DSig §6.6): the two that SAML profiles use
/// (SAML Core §5.4.3, §5.4.4). XSLT, XPath and XPointer transforms, which can load documents or
/// burn CPU before the signature value is checked, are not among them.
pub const TRANSFORMS: &[&str] = &[
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
];
/// CanonicalizationMethod accepted: exclusive canonicalization (SAML Core §5.4.3).
pub const CANONICALIZATIONS: &[&str] = &["http://www.w3.org/2001/10/xml-exc-c14n#"];
const EXC_C14N_NS: &[u8] = b"http://www.w3.org/2001/10/xml-exc-c14n#";
const DSIG11_NS: &[u8] = b"http://www.w3.org/2009/xmldsig11#";

/// The elements of the XML-DSig namespace a SAML signature may hold. Everything else
/// (Object, Manifest, RetrievalMethod, SignatureProperties, PGPData...) makes the library
/// dereference, fetch or process more than the one signed element.
const DSIG_ELEMENTS: &[&str] = &[
    "Signature",
    "SignedInfo",
    "CanonicalizationMethod",
    "SignatureMethod",
    "Reference",
    "Transforms",
    "Transform",
    "DigestMethod",
    "DigestValue",
    "SignatureValue",
    "KeyInfo",
    "KeyName",
    "KeyValue",
    "RSAKeyValue",
    "Modulus",
    "Exponent",
    "X509Data",
    "X509Certificate",
    "X509IssuerSerial",
    "X509IssuerName",
    "X509SerialNumber",
    "X509SubjectName",
    "X509SKI",
];

/// At most the Response's signature and the Assertion's.
const MAX_SIGNATURES: usize = 2;

/// What the scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub signatures: usize,
}

/// The element a signature sits in, which is the one it must sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signed {
    Response,
    Assertion,
    Other,
}

#[derive(Debug)]
struct SignatureSeen {
    parent: Signed,
    references: Vec<String>,
}

/// What the scan remembers between events.
#[derive(Debug, Default)]
struct Scan {
    /// The open elements: what each is, for the signature's parent and nesting.
    open: Vec<Open>,
    responses: usize,
    assertions: usize,
    response_id: Option<String>,
    assertion_id: Option<String>,
    /// Every `ID` and `xml:id` value, to make sure a reference names one element only.
    ids: Vec<String>,
    signatures: Vec<SignatureSeen>,
    /// The first signature problem, reported once the document's shape is known to be right
    /// (so that a wrapping attack is named as such).
    problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Response,
    Assertion,
    Signature,
    Other,
}

/// Refuses what must never reach the XML signature library or the parser that reads the
/// identity: a DOCTYPE (entity expansion, XXE), comments and processing instructions (a comment
/// inside NameID splits the text a reader sees from the text that was signed), anything but
/// exactly one `Response` holding exactly one `Assertion` (every XSW shape adds a second one),
/// encrypted assertions (we publish no encryption key), signature or digest algorithms outside
/// the allow-list, and every signature but the plain SAML one: one Reference to the ID of the
/// element the signature sits in, the enveloped-signature and exclusive c14n transforms only,
/// nothing to fetch (xmlsec dereferences References and runs their transforms before it
/// checks the SignatureValue, so an unsigned document must not be able to name a URL).
pub fn inspect(xml: &str) -> Result<Shape, Refusal> {
    let mut reader = NsReader::from_str(xml);
    let mut scan = Scan::default();
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
                scan.open.pop();
                continue;
            }
            (ns, Event::Start(e)) => (ns, e, false),
            (ns, Event::Empty(e)) => (ns, e, true),
            _ => continue,
        };
        let ns: &[u8] = match ns {
            ResolveResult::Bound(Namespace(n)) => n,
            _ => b"",
        };
        let open = scan.element(ns, &element)?;
        if !empty {
            scan.open.push(open);
            if scan.open.len() > MAX_DEPTH {
                return Err(Refusal::Malformed("nested too deeply".into()));
            }
        }
    }
    scan.finish()
}

/// An attribute's value as an XML parser reads it (entities resolved, whitespace normalized).
fn attribute(element: &BytesStart<'_>, name: &str) -> Result<Option<String>, Refusal> {
    let found = element
        .try_get_attribute(name)
        .map_err(|e| Refusal::Malformed(e.to_string()))?;
    found
        .map(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .map_err(|e| Refusal::Malformed(e.to_string()))
        })
        .transpose()
}

impl Scan {
    /// Looks at one element; returns what it is, for the stack of open elements.
    fn element(&mut self, ns: &[u8], element: &BytesStart<'_>) -> Result<Open, Refusal> {
        let name = element.local_name();
        let local = name.as_ref();
        self.ids_of(element)?;
        let in_signature = self.open.contains(&Open::Signature);
        if self.open.is_empty() {
            if !(ns == PROTOCOL_NS && local == b"Response") {
                return Err(Refusal::Malformed(
                    "the document is not a SAML Response".into(),
                ));
            }
            self.response_id = attribute(element, "ID")?;
        }
        if ns == PROTOCOL_NS && local == b"Response" {
            self.responses += 1;
            return Ok(Open::Response);
        }
        if ns == ASSERTION_NS && local == b"Assertion" {
            self.assertions += 1;
            self.assertion_id = attribute(element, "ID")?;
            return Ok(Open::Assertion);
        }
        if ns == ASSERTION_NS && local == b"EncryptedAssertion" {
            return Err(Refusal::Encrypted);
        }
        if ns == DSIG_NS {
            return self.dsig_element(local, element, in_signature);
        }
        if in_signature && !(ns == EXC_C14N_NS && local == b"InclusiveNamespaces") {
            let what = String::from_utf8_lossy(local).into_owned();
            let allowed_dsig11 = ns == DSIG11_NS && local != b"KeyInfoReference";
            if !allowed_dsig11 {
                self.problem(format!("it holds a {what:?} element"));
            }
        }
        Ok(Open::Other)
    }

    /// Remembers the element's `ID` and `xml:id`. libxml2 finds `ID` by local name whatever
    /// its prefix (`xmlGetProp`), so a prefixed `x:ID` could name an element for xmlsec that
    /// this scan does not see as such: it is refused.
    fn ids_of(&mut self, element: &BytesStart<'_>) -> Result<(), Refusal> {
        for found in element.attributes() {
            let found = found.map_err(|e| Refusal::Malformed(e.to_string()))?;
            let key = found.key;
            if key.local_name().as_ref() == b"ID" && key.as_ref() != b"ID" {
                let name = String::from_utf8_lossy(key.as_ref()).into_owned();
                return Err(Refusal::Malformed(format!(
                    "a prefixed ID attribute {name:?}"
                )));
            }
            if key.as_ref() == b"ID" || key.as_ref() == b"xml:id" {
                let value = found
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| Refusal::Malformed(e.to_string()))?;
                self.ids.push(value.into_owned());
            }
        }
        Ok(())
    }

    fn dsig_element(
        &mut self,
        local: &[u8],
        element: &BytesStart<'_>,
        in_signature: bool,
    ) -> Result<Open, Refusal> {
        let name = String::from_utf8_lossy(local).into_owned();
        if !DSIG_ELEMENTS.contains(&name.as_str()) {
            self.problem(format!("it holds a ds:{name} element"));
            return Ok(Open::Other);
        }
        match (local, in_signature) {
            (b"Signature", true) => self.problem("a signature holds another signature".into()),
            (b"Signature", false) => {
                let parent = match self.open.last() {
                    Some(Open::Response) if self.open.len() == 1 => Signed::Response,
                    Some(Open::Assertion) => Signed::Assertion,
                    _ => Signed::Other,
                };
                self.signatures.push(SignatureSeen {
                    parent,
                    references: Vec::new(),
                });
                return Ok(Open::Signature);
            }
            (_, false) => self.problem(format!("a ds:{name} element outside a signature")),
            (b"Reference", true) => {
                let uri = attribute(element, "URI")?.unwrap_or_default();
                if let Some(signature) = self.signatures.last_mut() {
                    signature.references.push(uri);
                }
            }
            (_, true) => self.algorithm(local, element)?,
        }
        Ok(Open::Other)
    }

    /// The Algorithm of a SignatureMethod or DigestMethod (refused at once, as before any
    /// other signature rule), or of a Transform or CanonicalizationMethod.
    fn algorithm(&mut self, local: &[u8], element: &BytesStart<'_>) -> Result<(), Refusal> {
        let (allowed, what) = match local {
            b"SignatureMethod" => (SIGNATURE_ALGORITHMS, None),
            b"DigestMethod" => (DIGEST_ALGORITHMS, None),
            b"Transform" => (TRANSFORMS, Some("transform")),
            b"CanonicalizationMethod" => (CANONICALIZATIONS, Some("canonicalization")),
            _ => return Ok(()),
        };
        let algorithm = attribute(element, "Algorithm")?.unwrap_or_default();
        match what {
            _ if allowed.contains(&algorithm.as_str()) => {}
            None => return Err(Refusal::Algorithm(algorithm)),
            Some(what) => self.problem(format!(
                "the {what} {algorithm:?} is not accepted; only enveloped-signature and \
                 exclusive canonicalization are"
            )),
        }
        Ok(())
    }

    /// Remembers the first signature problem.
    fn problem(&mut self, what: String) {
        self.problem.get_or_insert(what);
    }

    fn finish(self) -> Result<Shape, Refusal> {
        if self.responses != 1 || self.assertions != 1 {
            return Err(Refusal::Shape {
                responses: self.responses,
                assertions: self.assertions,
            });
        }
        if self.signatures.is_empty() {
            return Err(Refusal::Unsigned);
        }
        if let Some(problem) = self.problem {
            return Err(Refusal::Signature(problem));
        }
        if self.signatures.len() > MAX_SIGNATURES {
            return Err(Refusal::Signature(format!(
                "there are {} signatures; at most the Response's and the Assertion's are accepted",
                self.signatures.len()
            )));
        }
        let mut parents = Vec::new();
        for signature in &self.signatures {
            self.check_signature(signature)?;
            if parents.contains(&signature.parent) {
                return Err(Refusal::Signature(
                    "two signatures sign the same element".into(),
                ));
            }
            parents.push(signature.parent);
        }
        Ok(Shape {
            signatures: self.signatures.len(),
        })
    }

    /// One Reference, to `#` and the ID of the element the signature sits in (SAML Core
    /// §5.4.2), and that ID names no other element.
    fn check_signature(&self, signature: &SignatureSeen) -> Result<(), Refusal> {
        let id = match signature.parent {
            Signed::Response => self.response_id.as_deref(),
            Signed::Assertion => self.assertion_id.as_deref(),
            Signed::Other => {
                return Err(Refusal::Signature(
                    "it signs an element other than the Response or the Assertion".into(),
                ));
            }
        }
        .unwrap_or_default();
        let [uri] = signature.references.as_slice() else {
            return Err(Refusal::Signature(format!(
                "it holds {} references; exactly one is accepted",
                signature.references.len()
            )));
        };
        if id.is_empty() || uri.strip_prefix('#') != Some(id) {
            return Err(Refusal::Signature(format!(
                "it references {uri:?}, not \"#{id}\", the ID of the element it signs"
            )));
        }
        if self.ids.iter().filter(|other| *other == id).count() != 1 {
            return Err(Refusal::Signature(format!(
                "the ID {id:?} names more than one element"
            )));
        }
        Ok(())
    }
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
mod tests;
