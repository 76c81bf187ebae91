//! The AuthnRequest we send with the HTTP-Redirect binding (Bindings §3.4): deflated, base64,
//! in the `SAMLRequest` query parameter. It is not signed (our metadata says so); the
//! identity provider answers at the ACS URL it has on file for us, not one we name.

use std::io::Write;

use base64::Engine;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use quick_xml::escape::escape;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ServiceProvider;

pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

pub struct AuthnRequest {
    /// The request's ID, which the Response's InResponseTo must repeat.
    pub id: String,
    /// The identity provider's sign-in URL carrying the request.
    pub redirect_url: String,
}

/// A request for `sp` to the identity provider at `sso_url`. `email_in_name_id` asks for the
/// email as NameID; otherwise any NameID format is welcome (the email comes in an attribute).
pub fn authn_request(
    sp: &ServiceProvider,
    sso_url: &str,
    email_in_name_id: bool,
    now: OffsetDateTime,
) -> Result<AuthnRequest, url::ParseError> {
    // An xs:ID must not start with a digit (Core §1.3.4).
    let id = format!("_{}", uuid::Uuid::new_v4().simple());
    let instant = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default();
    let format = if email_in_name_id {
        NAMEID_EMAIL
    } else {
        NAMEID_UNSPECIFIED
    };
    let xml = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{dest}" AssertionConsumerServiceURL="{acs}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>{issuer}</saml:Issuer><samlp:NameIDPolicy Format="{format}" AllowCreate="true"/></samlp:AuthnRequest>"#,
        dest = escape(sso_url),
        acs = escape(&sp.acs_url),
        issuer = escape(&sp.entity_id),
    );
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = deflater.write_all(xml.as_bytes());
    let deflated = deflater.finish().unwrap_or_default();
    let mut url = url::Url::parse(sso_url)?;
    url.query_pairs_mut().append_pair(
        "SAMLRequest",
        &base64::engine::general_purpose::STANDARD.encode(deflated),
    );
    Ok(AuthnRequest {
        id,
        redirect_url: url.into(),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_request_inflates_to_an_authn_request_for_us() {
        let sp = ServiceProvider::at("https://go.acme.example");
        let req = authn_request(
            &sp,
            "https://idp.example/sso?tenant=a&x=1",
            true,
            OffsetDateTime::now_utc(),
        )
        .expect("request");
        let url = url::Url::parse(&req.redirect_url).expect("url");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("tenant".into(), "a".into()));
        assert_eq!(pairs[1], ("x".into(), "1".into()));
        let encoded = &pairs[2].1;
        let deflated = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(&deflated[..])
            .read_to_string(&mut xml)
            .expect("inflate");
        assert!(xml.contains(&format!("ID=\"{}\"", req.id)), "{xml}");
        assert!(xml.contains("AssertionConsumerServiceURL=\"https://go.acme.example/saml/acs\""));
        assert!(xml.contains("<saml:Issuer>https://go.acme.example/saml/metadata</saml:Issuer>"));
        assert!(xml.contains("Destination=\"https://idp.example/sso?tenant=a&amp;x=1\""));
        assert!(xml.contains(NAMEID_EMAIL));
        assert!(req.id.starts_with('_'));
    }
}
