use super::*;

const OK: &str = r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r"><saml:Assertion ID="_a"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_a"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>x</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>x</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>x</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></saml:Assertion></samlp:Response>"##;

/// The same Response signed by the IdP on both levels.
fn both_signed() -> String {
    let signature =
        &OK[OK.find("<ds:Signature").expect("sig")..OK.find("</saml:Assertion>").expect("end")];
    let response_signature = signature.replace("URI=\"#_a\"", "URI=\"#_r\"");
    OK.replace("ID=\"_r\">", &format!("ID=\"_r\">{response_signature}"))
}

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
            OK.replace("<saml:Assertion ID=\"_a\">", "<saml:Assertion ID=\"_a\"><!-- x -->"),
            Refusal::Comment,
        ),
        (
            "second assertion",
            OK.replace(
                "<saml:Assertion ID=\"_a\">",
                "<saml:Assertion></saml:Assertion><saml:Assertion ID=\"_a\">",
            ),
            Refusal::Shape {
                responses: 1,
                assertions: 2,
            },
        ),
        (
            "assertion under another prefix",
            OK.replace(
                "<saml:Assertion ID=\"_a\">",
                "<x:Assertion xmlns:x=\"urn:oasis:names:tc:SAML:2.0:assertion\"/><saml:Assertion ID=\"_a\">",
            ),
            Refusal::Shape {
                responses: 1,
                assertions: 2,
            },
        ),
        (
            "encrypted",
            OK.replace("<saml:Assertion ID=\"_a\">", "<saml:EncryptedAssertion/><saml:Assertion ID=\"_a\">"),
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
            "an ID attribute under a prefix (libxml2 reads it as ID)",
            OK.replace("<ds:SignedInfo>", "<ds:SignedInfo xmlns:x=\"urn:x\" x:ID=\"_a\">"),
            Refusal::Malformed("a prefixed ID attribute \"x:ID\"".into()),
        ),
        (
            "two ID attributes",
            OK.replace("ID=\"_a\"", "ID=\"_a\" ID=\"_b\""),
            Refusal::Malformed(String::new()),
        ),
        (
            "not a response",
            OK.replace("samlp:Response", "samlp:LogoutResponse"),
            Refusal::Malformed("the document is not a SAML Response".into()),
        ),
    ];
    for (case, xml, expected) in cases {
        match (inspect(&xml), expected) {
            // quick-xml's own wording for a duplicate attribute.
            (Err(Refusal::Malformed(_)), Refusal::Malformed(any)) if any.is_empty() => {}
            (got, expected) => assert_eq!(got, Err(expected), "case: {case}"),
        }
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

#[test]
fn both_levels_signed_pass() {
    assert_eq!(inspect(&both_signed()), Ok(Shape { signatures: 2 }));
    // Attribute values are compared as an XML parser (and so xmlsec) reads them.
    let escaped = OK.replace("URI=\"#_a\"", "URI=\"&#35;_a\"");
    assert_eq!(inspect(&escaped), Ok(Shape { signatures: 1 }));
}

/// Each signature shape that would make xmlsec fetch, load or process more than the
/// signed element, with the words the refusal must hold.
#[test]
fn refused_signature_shapes() {
    let reference = |uri: &str| OK.replace("URI=\"#_a\"", &format!("URI=\"{uri}\""));
    let transform = |algorithm: &str| {
        OK.replace(
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
            algorithm,
        )
    };
    let in_signature = |extra: &str| OK.replace("</ds:KeyInfo>", &format!("</ds:KeyInfo>{extra}"));
    let cases: Vec<(&str, String, &str)> = vec![
        ("http reference", reference("http://127.0.0.1:9/x"), "\"http://127.0.0.1:9/x\""),
        ("file reference", reference("file:///dev/zero"), "\"file:///dev/zero\""),
        ("xpointer", reference("#xpointer(/)"), "\"#xpointer(/)\""),
        ("whole document", reference(""), "references \"\""),
        ("the other element's ID", reference("#_r"), "not \"#_a\""),
        (
            "two references",
            OK.replace("</ds:SignedInfo>", "<ds:Reference URI=\"#_a\"/></ds:SignedInfo>"),
            "2 references",
        ),
        (
            "xslt",
            transform("http://www.w3.org/TR/1999/REC-xslt-19991116"),
            "REC-xslt",
        ),
        (
            "xpath",
            transform("http://www.w3.org/TR/1999/REC-xpath-19991116"),
            "REC-xpath",
        ),
        (
            "inclusive c14n",
            OK.replace(
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>",
            ),
            "REC-xml-c14n",
        ),
        ("object", in_signature("<ds:Object>x</ds:Object>"), "ds:Object"),
        (
            "manifest",
            in_signature("<ds:Object><ds:Manifest><ds:Reference URI=\"http://127.0.0.1:9/\"/></ds:Manifest></ds:Object>"),
            "ds:Object",
        ),
        (
            "retrieval method",
            OK.replace(
                "<ds:X509Data>",
                "<ds:RetrievalMethod URI=\"http://127.0.0.1:9/k\"/><ds:X509Data>",
            ),
            "ds:RetrievalMethod",
        ),
        (
            "key info reference",
            OK.replace(
                "<ds:X509Data>",
                "<d11:KeyInfoReference xmlns:d11=\"http://www.w3.org/2009/xmldsig11#\" URI=\"#_r\"/><ds:X509Data>",
            ),
            "KeyInfoReference",
        ),
        (
            "foreign element in a signature",
            in_signature("<x:y xmlns:x=\"urn:x\"/>"),
            "\"y\"",
        ),
        (
            "three signatures",
            {
                let both = both_signed();
                let signature = &OK[OK.find("<ds:Signature").expect("sig")
                    ..OK.find("</saml:Assertion>").expect("end")];
                both.replace("</saml:Assertion>", &format!("{signature}</saml:Assertion>"))
            },
            "3 signatures",
        ),
        (
            "two signatures on one element",
            {
                let signature = &OK[OK.find("<ds:Signature").expect("sig")
                    ..OK.find("</saml:Assertion>").expect("end")];
                OK.replace("</saml:Assertion>", &format!("{signature}</saml:Assertion>"))
            },
            "same element",
        ),
        (
            "signature on another element",
            OK.replace(
                "<saml:Assertion ID=\"_a\">",
                "<saml:Assertion ID=\"_a\"><saml:Subject ID=\"_s\">",
            )
            .replace("</saml:Assertion>", "</saml:Subject></saml:Assertion>"),
            "other than the Response or the Assertion",
        ),
        (
            "duplicate ID",
            OK.replace("<ds:SignedInfo>", "<ds:SignedInfo xml:id=\"_a\">"),
            "more than one element",
        ),
        (
            "reference outside a signature",
            OK.replace(
                "<ds:Signature",
                "<ds:Reference xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" URI=\"#_a\"/><ds:Signature",
            ),
            "outside a signature",
        ),
    ];
    for (case, xml, words) in cases {
        match inspect(&xml) {
            Err(Refusal::Signature(why)) => assert!(why.contains(words), "case {case}: {why}"),
            other => panic!("case {case}: {other:?}"),
        }
    }
}

#[test]
fn a_wrapping_attack_is_named_before_its_signature_problem() {
    // XSW8 hides the original assertion in a ds:Object: the shape is what is reported.
    let xsw8 = OK.replace(
        "</ds:KeyInfo>",
        "</ds:KeyInfo><ds:Object><saml:Assertion ID=\"_b\"/></ds:Object>",
    );
    assert_eq!(
        inspect(&xsw8),
        Err(Refusal::Shape {
            responses: 1,
            assertions: 2
        })
    );
}
