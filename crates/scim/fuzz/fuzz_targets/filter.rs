//! Filters (RFC 7644 §3.4.2.2) from arbitrary text: parsing never panics,
//! the canonical text of a parsed filter parses back to the same filter,
//! and evaluating it against a user never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim::{Filter, USER};
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::parse(text) else {
        return;
    };
    // The canonical text may be longer than the input (spaces, quotes); round-trip only what
    // the length bound lets back in.
    let canonical = filter.to_string();
    if canonical.len() <= scim::filter::MAX_FILTER_LEN {
        assert_eq!(Filter::parse(&canonical).ok(), Some(filter.clone()), "{canonical}");
    }
    let _ = scim::validate(&filter, &USER);
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223", "userName": "bjensen", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        "meta": {"lastModified": "2011-05-13T04:42:34Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour"}
    });
    let _ = filter.matches(&user, &USER);
});
