//! The example filters of RFC 7644 §3.4.2.2 (Figure 2 and the list before
//! it), run through the public API as the HTTP layer will.
#![allow(clippy::unwrap_used, clippy::panic)]

use scim::{Filter, USER};
use serde_json::{Value, json};

/// Every example filter of RFC 7644 §3.4.2.2, verbatim (line breaks joined).
const RFC_7644_FILTERS: &[&str] = &[
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    r#"title pr"#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType eq "Employee" and (emails.type eq "work")"#,
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
];

fn users() -> [(&'static str, Value); 2] {
    [("bjensen", bjensen()), ("omalley", omalley())]
}

/// RFC 7643 §8.2's Barbara Jensen, trimmed to what the examples look at.
fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "bjensen",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "title": "Tour Guide",
        "userType": "Employee",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "meta": {"resourceType": "User", "lastModified": "2011-05-13T04:42:34Z"}
    })
}

/// An intern with an enterprise extension and an xmpp handle.
fn omalley() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "userName": "Jomalley",
        "name": {"familyName": "O'Malley"},
        "userType": "Intern",
        "emails": [{"value": "jo@example.org", "type": "home"}],
        "ims": [{"value": "jo@foo.com", "type": "xmpp"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours"},
        "meta": {"resourceType": "User", "lastModified": "2012-01-01T00:00:00+01:00"}
    })
}

#[test]
fn every_rfc_7644_example_filter_parses_validates_and_round_trips() {
    for input in RFC_7644_FILTERS {
        let filter = Filter::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let printed = filter.to_string();
        // The RFC's texts are canonical but for one pair of redundant parentheses.
        let canonical = input.replace(r#"(emails.type eq "work")"#, r#"emails.type eq "work""#);
        assert_eq!(printed, canonical, "canonical form of {input}");
        assert_eq!(Filter::parse(&printed).as_ref(), Ok(&filter), "{input}");
        assert_eq!(Filter::parse_for(input, &USER), Ok(filter), "{input}");
    }
}

/// Each example filter and the users of [`users`] it selects.
const SELECTIONS: &[(&str, &[&str])] = &[
    (r#"userName eq "bjensen""#, &["bjensen"]),
    (r#"name.familyName co "O'Malley""#, &["omalley"]),
    (r#"userName sw "J""#, &["omalley"]),
    (
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        &["omalley"],
    ),
    (r#"title pr"#, &["bjensen"]),
    (
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        &["omalley"],
    ),
    (
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        &["bjensen", "omalley"],
    ),
    (r#"meta.lastModified lt "2011-05-13T04:42:34Z""#, &[]),
    (
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        &["bjensen"],
    ),
    (r#"title pr and userType eq "Employee""#, &["bjensen"]),
    (
        r#"title pr or userType eq "Intern""#,
        &["bjensen", "omalley"],
    ),
    (
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        &["omalley"],
    ),
    (
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        &["bjensen"],
    ),
    (
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        &[],
    ),
    (
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        &["bjensen"],
    ),
    (
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        &["bjensen"],
    ),
    (
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        &["bjensen", "omalley"],
    ),
];

#[test]
fn rfc_7644_example_filters_select_the_expected_users() {
    let users = users();
    for (input, expected) in SELECTIONS {
        let filter = Filter::parse(input).unwrap();
        let selected: Vec<&str> = users
            .iter()
            .filter(|(_, resource)| filter.matches(resource, &USER))
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(selected, *expected, "{input}");
    }
}

#[test]
fn an_unsupported_operator_is_an_invalid_filter_naming_it() {
    // RFC 7644 §3.4.2.2: "if a client specified an unsupported operator named
    // 'regex', the service provider should specify an error response
    // description identifying the client error".
    let error = Filter::parse(r#"userName regex "^b""#).unwrap_err();
    assert_eq!(
        error.to_json(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400",
            "scimType": "invalidFilter",
            "detail": "invalid filter at position 9: expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr), found \"regex\"",
        })
    );
}

#[test]
fn entra_test_connection_filter_matches_nobody() {
    // Entra ID's "Test Connection" filters on a random userName and expects
    // 200 with an empty list (design.md "SCIM specifics").
    let filter = Filter::parse_for(
        r#"userName eq "5a8e4ea2-6d9b-4f6a-9b36-4d5c2c7b4d59""#,
        &USER,
    )
    .unwrap();
    assert!(!filter.matches(&bjensen(), &USER));
    assert!(!filter.matches(&omalley(), &USER));
}
