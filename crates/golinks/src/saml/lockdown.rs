//! Makes libxml2 and xmlsec unable to open anything but the document in memory: no file, no
//! URL, for any reference, transform, KeyInfo or entity, whatever a Response says.
//!
//! `inspect` already refuses every document that names something to fetch; this is the layer
//! under it, in case a check there is ever wrong. The per-signature switches xmlsec has for
//! this (`xmlSecDSigCtx.enabledReferenceUris`, libxml2's `XML_PARSE_NONET`) are out of reach:
//! samael 0.0.22 keeps its xmlsec context private and parses with libxml's default options.
//! So the process-wide equivalents are used, once, after samael has initialized xmlsec:
//!
//! - `xmlSecIOCleanupCallbacks()` empties xmlsec's list of URI handlers (file, http, ftp),
//!   which `xmlSecTransformInputURIOpen` consults for every non-`#` Reference URI and
//!   RetrievalMethod: with none, opening any URI fails before any I/O;
//! - libxml2's input callbacks (used for external entities, DTDs, XInclude and XSLT's
//!   `document()`) are replaced by one that matches nothing, which is stronger than
//!   `XML_PARSE_NONET` (no local file either). An empty table would not do: libxml2 refills an
//!   empty one with its defaults on next use.
//!
//! This process parses nothing else with libxml2 (samael reads from strings, which needs no
//! input callback), so nothing legitimate is lost.
//!
//! The only `unsafe` in the crate (the workspace lint is `deny`, not `forbid`, for this
//! module alone): four calls into the C libraries samael already links.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::sync::Once;

use samael::crypto::{CertificateDer, Crypto, CryptoProvider};

unsafe extern "C" {
    // libxmlsec1 (xmlsec/io.h).
    fn xmlSecIOCleanupCallbacks();
    // libxml2 (libxml/xmlIO.h).
    fn xmlCleanupInputCallbacks();
    fn xmlRegisterInputCallbacks(
        match_fn: Option<unsafe extern "C" fn(*const c_char) -> c_int>,
        open_fn: Option<unsafe extern "C" fn(*const c_char) -> *mut c_void>,
        read_fn: Option<unsafe extern "C" fn(*mut c_void, *mut c_char, c_int) -> c_int>,
        close_fn: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    ) -> c_int;
}

/// libxml2's `xmlInputMatchCallback` that accepts no URI.
unsafe extern "C" fn match_nothing(_uri: *const c_char) -> c_int {
    0
}

static LOCKDOWN: Once = Once::new();

/// A self-signed P-256 certificate made for this purpose only (its key was never kept):
/// something xmlsec can load without printing errors.
const START_UP: &[u8] = include_bytes!("xmlsec-start-up.der");

/// Locks xmlsec and libxml2 down; the first call does the work, later ones return at once.
/// Every verification calls it before touching xmlsec.
pub fn lock_down() {
    LOCKDOWN.call_once(|| {
        // samael initializes xmlsec (and libxml2) on first use, and that initialization
        // registers xmlsec's default URI handlers: make it happen now, so that they are
        // removed after it. Checking a document without a signature against a throwaway
        // certificate is such a first use (it fails quietly: no signature found).
        let _ = Crypto::verify_signed_xml("<x/>", &CertificateDer::from(START_UP.to_vec()), None);
        // SAFETY: xmlsec is initialized (above) and, inside this `call_once`, no other thread
        // is verifying (every verification calls `lock_down` first and waits for it to
        // finish). The function only empties xmlsec's global callback list.
        unsafe { xmlSecIOCleanupCallbacks() };
        // SAFETY: libxml2 is initialized (samael called `xmlInitParser`) and, as above, no
        // other thread parses meanwhile. Clearing then registering one callback whose match
        // function never matches leaves libxml2 with a non-empty table (so it does not reload
        // its defaults) through which no URI opens. `match_nothing` is a `'static` function
        // with the C signature libxml2 expects; the other callbacks are never called.
        let registered = unsafe {
            xmlCleanupInputCallbacks();
            xmlRegisterInputCallbacks(Some(match_nothing), None, None, None)
        };
        if registered < 0 {
            tracing::error!("cannot replace libxml2's input callbacks");
        }
    });
}
