//! The SAML pre-scan from arbitrary bytes: it never panics, and whatever it accepts is a
//! document whose root is a SAML `Response`. Seeds (`seeds/inspect/`) are real responses
//! signed by the test identity provider (`tests/saml/idp.py`): plain, signed on either or
//! both levels, and the XSW, comment and DOCTYPE attacks; libFuzzer mutates them.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The pre-scan and its error type, as the golinks crate compiles them (`inspect.rs` reads
// `super::Refusal`, which is this crate's root here).
#[allow(dead_code)]
#[path = "../../src/saml/inspect.rs"]
mod inspect;
#[allow(dead_code)]
#[path = "../../src/saml/refusal.rs"]
mod refusal;

pub use refusal::Refusal;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let shape = inspect::inspect(xml);
    if let Ok(shape) = &shape {
        assert!((1..=2).contains(&shape.signatures), "{shape:?}");
        assert_eq!(inspect::root_name(xml).as_deref(), Some("Response"));
    }
    // The same document gives the same answer (no hidden state).
    assert_eq!(inspect::inspect(xml), shape);
    if let Err(why) = shape {
        let _ = why.for_log();
        let _ = why.for_page();
    }
});
