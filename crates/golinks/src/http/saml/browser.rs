//! The cookie that binds an AuthnRequest to the browser that started it.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;

use crate::domain::token;
use crate::saml;

/// The short-lived cookie that binds an AuthnRequest to the browser that started it, so that
/// a Response is accepted only from that browser (sign-in CSRF: without it, anyone could post
/// their own valid Response to a victim's browser and sign it in as themselves). Only its
/// SHA-256 is stored, with the request. Over https it is a `__Host-` cookie with
/// `SameSite=None`: the Response arrives in a cross-site POST from the identity provider.
pub(super) struct BrowserBinding(String);

const BINDING_COOKIE: &str = "__Host-golinks_saml";
const BINDING_COOKIE_PLAIN: &str = "golinks_saml";

impl BrowserBinding {
    fn name(https: bool) -> &'static str {
        if https {
            BINDING_COOKIE
        } else {
            BINDING_COOKIE_PLAIN
        }
    }

    /// The cookie's value, as this browser presents it.
    fn value(headers: &HeaderMap, https: bool) -> Option<&str> {
        let name = Self::name(https);
        crate::http::auth::session::cookie_value(headers, name).filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }

    /// The binding for a new request: the browser's own if it has one (two tabs signing in at
    /// once), else a new 256-bit random value.
    pub(super) fn for_login(headers: &HeaderMap, https: bool) -> Self {
        if let Some(value) = Self::value(headers, https) {
            return BrowserBinding(value.to_owned());
        }
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        BrowserBinding(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The digest of the cookie this browser presents at the ACS, if any.
    pub(super) fn presented(headers: &HeaderMap, https: bool) -> Option<Vec<u8>> {
        Self::value(headers, https).map(token::digest)
    }

    pub(super) fn digest(&self) -> Vec<u8> {
        token::digest(&self.0)
    }

    pub(super) fn set_cookie(&self, https: bool) -> HeaderValue {
        let lifetime = saml::REQUEST_LIFETIME.whole_seconds();
        let attributes = if https { "; Secure; SameSite=None" } else { "" };
        let value = format!(
            "{}={}; Path=/; HttpOnly; Max-Age={lifetime}{attributes}",
            Self::name(https),
            self.0
        );
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("golinks_saml=; Path=/"))
    }

    pub(super) fn clear_cookie(https: bool) -> HeaderValue {
        if https {
            HeaderValue::from_static(
                "__Host-golinks_saml=; Path=/; HttpOnly; Max-Age=0; Secure; SameSite=None",
            )
        } else {
            HeaderValue::from_static("golinks_saml=; Path=/; HttpOnly; Max-Age=0")
        }
    }
}
