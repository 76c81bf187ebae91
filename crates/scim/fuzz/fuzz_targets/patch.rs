//! PATCH bodies (RFC 7644 §3.5.2) from arbitrary JSON: parsing and applying
//! never panic, applying is deterministic, and a patched user keeps its
//! `userName` and its `schemas`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim::{USER, apply_patch, parse_patch};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(request) = parse_patch(&body) else {
        return;
    };
    let user = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223", "userName": "bjensen", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "meta": {"resourceType": "User", "created": "2011-08-01T18:29:49.793Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Tour", "manager": {"value": "26118915"}
        }
    });
    let first = apply_patch(&user, &request, &USER);
    assert_eq!(first, apply_patch(&user, &request, &USER));
    if let Ok(patched) = first {
        assert!(patched["userName"].is_string(), "{patched}");
        assert!(patched["schemas"].is_array(), "{patched}");
    }
});
