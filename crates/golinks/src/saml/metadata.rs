//! Metadata: reading the identity provider's (for `golinks sso configure`) and writing ours
//! (`GET /saml/metadata`), per SAML Metadata §2.4.

use base64::Engine;
use quick_xml::escape::escape;
use samael::metadata::EntityDescriptor;

use super::ServiceProvider;
use super::authn_request::{NAMEID_EMAIL, NAMEID_UNSPECIFIED};

const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/// What we take from the identity provider's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub sso_url: String,
    pub certificates: Vec<Vec<u8>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    #[error("the metadata contains a DOCTYPE; refusing to read it")]
    Doctype,
    #[error("the metadata is not an EntityDescriptor: {0}")]
    Parse(String),
    #[error("the metadata has no entityID")]
    NoEntityId,
    #[error("the metadata describes no identity provider (IDPSSODescriptor)")]
    NotAnIdp,
    #[error("the identity provider offers no HTTP-Redirect SingleSignOnService")]
    NoRedirectSso,
    #[error("the identity provider publishes no signing certificate")]
    NoCertificate,
    #[error("a signing certificate is not valid: {0}")]
    BadCertificate(String),
}

/// Reads the IdP's entity ID, HTTP-Redirect sign-in URL and signing certificates.
pub fn parse_idp_metadata(xml: &str) -> Result<IdpMetadata, MetadataError> {
    if xml.to_ascii_uppercase().contains("<!DOCTYPE") {
        return Err(MetadataError::Doctype);
    }
    let descriptor = xml
        .parse::<EntityDescriptor>()
        .map_err(|e| MetadataError::Parse(e.to_string()))?;
    let entity_id = descriptor
        .entity_id
        .clone()
        .filter(|e| !e.trim().is_empty())
        .ok_or(MetadataError::NoEntityId)?;
    let idp = descriptor
        .idp_sso_descriptors
        .as_deref()
        .and_then(<[_]>::first)
        .ok_or(MetadataError::NotAnIdp)?;
    let sso_url = idp
        .single_sign_on_services
        .iter()
        .find(|s| s.binding == REDIRECT_BINDING)
        .map(|s| s.location.trim().to_owned())
        .ok_or(MetadataError::NoRedirectSso)?;
    url::Url::parse(&sso_url).map_err(|_| MetadataError::NoRedirectSso)?;
    let mut certificates = Vec::new();
    // A KeyDescriptor without `use` serves both signing and encryption (Metadata §2.4.1.1).
    for key in idp
        .key_descriptors
        .iter()
        .filter(|k| k.key_use.as_deref().is_none_or(|u| u == "signing"))
    {
        for cert in key.key_info.x509_data.iter().flat_map(|d| &d.certificates) {
            let compact: String = cert.chars().filter(|c| !c.is_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| MetadataError::BadCertificate(e.to_string()))?;
            openssl::x509::X509::from_der(&der)
                .map_err(|e| MetadataError::BadCertificate(e.to_string()))?;
            if !certificates.contains(&der) {
                certificates.push(der);
            }
        }
    }
    if certificates.is_empty() {
        return Err(MetadataError::NoCertificate);
    }
    Ok(IdpMetadata {
        entity_id: entity_id.trim().to_owned(),
        sso_url,
        certificates,
    })
}

/// Our metadata: unsigned AuthnRequests, signed assertions required, the POST-binding ACS.
pub fn sp_metadata(sp: &ServiceProvider) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>
    <md:NameIDFormat>{NAMEID_UNSPECIFIED}</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"#,
        entity = escape(&sp.entity_id),
        acs = escape(&sp.acs_url),
    )
}
