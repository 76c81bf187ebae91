//! XML signature verification behind a small trait, so that a pure-Rust verifier can replace
//! xmlsec without touching the rules in `response.rs`.

use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, Crypto, CryptoProvider, ReduceMode,
};

/// Checks XML signatures against pinned certificates.
pub trait SamlVerifier: Send + Sync {
    /// Verifies every signature in `xml` with one of `certificates` (DER) and an allowed
    /// algorithm, and returns the document cut down to the elements the signatures' References
    /// cover: the identity is read only from there, never from a second lookup by ID.
    fn signed_content(&self, xml: &str, certificates: &[Vec<u8>]) -> Result<String, String>;
}

/// xmlsec1 (libxmlsec1-openssl), through samael.
pub struct XmlSecVerifier(());

impl XmlSecVerifier {
    /// The verifier, with xmlsec and libxml2 made unable to load anything external
    /// ([`super::lockdown`]).
    pub fn new() -> Self {
        super::lockdown::lock_down();
        XmlSecVerifier(())
    }
}

impl Default for XmlSecVerifier {
    fn default() -> Self {
        Self::new()
    }
}

const ALLOWED: &[AllowedSignatureAlgorithm] = &[
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
    AllowedSignatureAlgorithm::EcdsaSha256,
    AllowedSignatureAlgorithm::EcdsaSha384,
    AllowedSignatureAlgorithm::EcdsaSha512,
];

impl SamlVerifier for XmlSecVerifier {
    fn signed_content(&self, xml: &str, certificates: &[Vec<u8>]) -> Result<String, String> {
        super::lockdown::lock_down();
        let certs: Vec<CertificateDer> = certificates
            .iter()
            .map(|c| CertificateDer::from(c.clone()))
            .collect();
        // Keeps only verified nodes, without their unsigned ancestors.
        Crypto::reduce_xml_to_signed_with_allowed_algorithms(
            xml,
            &certs,
            ReduceMode::ValidateAndMarkNoAncestors,
            Some(ALLOWED),
        )
        .map_err(|e| e.to_string())
    }
}
