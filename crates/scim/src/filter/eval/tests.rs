use serde_json::json;

use super::*;
use crate::schema::{GROUP, USER};

/// Shaped after RFC 7643 §8.2 (full User representation).
fn barbara() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane"},
        "displayName": "Babs Jensen",
        "title": "Tour Guide",
        "userType": "Employee",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
        },
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"a330bc54f0671c9\""
        }
    })
}

fn matches_user(filter: &str, resource: &Value) -> bool {
    let filter = Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    matches(&filter, resource, &USER)
}

fn assert_table(resource: &Value, cases: &[(&str, bool)]) {
    for &(filter, expected) in cases {
        assert_eq!(matches_user(filter, resource), expected, "{filter}");
    }
}

#[test]
fn compares_strings_per_case_exact() {
    assert_table(
        &barbara(),
        &[
            // userName is caseExact false (RFC 7643 §4.1.1).
            (r#"userName eq "BJENSEN@example.com""#, true),
            (r#"userName ne "bjensen@example.com""#, false),
            // id and externalId are caseExact true (RFC 7643 §3.1).
            (r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
            (r#"id eq "2819c223-7f76-453a-919d-413861904646""#, true),
            (r#"externalId eq "701984""#, true),
            (r#"meta.version eq "w/\"a330bc54f0671c9\"""#, false),
            // Unknown attributes default to caseExact false (RFC 7643 §2.2).
            (r#"name.familyName co "JEN""#, true),
            (r#"title sw "tour""#, true),
            (r#"title ew "GUIDE""#, true),
            (r#"title co """#, true),
            (r#"displayName eq "Babs""#, false),
        ],
    );
    let custom = json!({"nickname2": "ÉCOLE"});
    assert!(matches_user(r#"NICKNAME2 eq "école""#, &custom));
}

#[test]
fn orders_strings_lexicographically() {
    assert_table(
        &barbara(),
        &[
            (r#"userName gt "a""#, true),
            (r#"userName gt "C""#, false),
            (r#"userName ge "BJENSEN@EXAMPLE.COM""#, true),
            (r#"userName lt "bz""#, true),
            (r#"userName le "b""#, false),
        ],
    );
}

#[test]
fn orders_date_times_chronologically() {
    assert_table(
        &barbara(),
        &[
            (r#"meta.lastModified gt "2011-05-13T04:42:33Z""#, true),
            (r#"meta.lastModified gt "2011-05-13T04:42:34Z""#, false),
            (r#"meta.lastModified ge "2011-05-13T04:42:34Z""#, true),
            (r#"meta.lastModified lt "2011-05-13T04:42:34.001Z""#, true),
            (r#"meta.lastModified le "2011-05-13T04:42:34Z""#, true),
            // The same instant at another offset: equal chronologically, not as text.
            (r#"meta.lastModified eq "2011-05-13T06:42:34+02:00""#, true),
            (r#"meta.lastModified gt "2011-05-13T05:00:00+01:00""#, true),
            (r#"meta.created lt "2011-01-01T00:00:00-12:00""#, true),
            (r#"meta.created sw "2010-01""#, true),
        ],
    );
}

#[test]
fn compares_numbers_numerically_and_booleans_by_equality() {
    let resource = json!({"active": false, "loginCount": 10, "score": 2.5});
    assert_table(
        &resource,
        &[
            ("active eq false", true),
            ("active ne true", true),
            ("active eq true", false),
            ("loginCount gt 9", true),
            ("loginCount gt 10", false),
            ("loginCount ge 10.0", true),
            ("loginCount lt 1e2", true),
            ("score le 2.5", true),
            ("score eq 2.5", true),
            ("score gt -3", true),
            // Ordering booleans is an error up front (validate); here it simply fails.
            ("active gt false", false),
            // A value of another JSON type is not identical.
            (r#"loginCount eq "10""#, false),
            (r#"loginCount ne "10""#, true),
        ],
    );
}

#[test]
fn multi_valued_attributes_match_if_any_value_matches() {
    assert_table(
        &barbara(),
        &[
            (r#"emails.value eq "babs@jensen.org""#, true),
            (r#"emails.type eq "home""#, true),
            (r#"emails.type eq "other""#, false),
            // No sub-attribute: the `value` sub-attribute is compared.
            (r#"emails co "jensen.org""#, true),
            (r#"emails eq "bjensen@example.com""#, true),
            (
                r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
                true,
            ),
            (r#"emails.primary eq true"#, true),
        ],
    );
}

#[test]
fn value_filters_apply_all_conditions_to_one_value() {
    assert_table(
        &barbara(),
        &[
            (
                r#"emails[type eq "work" and value co "@example.com"]"#,
                true,
            ),
            // Both conditions hold, but on different values.
            (
                r#"emails[type eq "home" and value co "@example.com"]"#,
                false,
            ),
            (
                r#"emails[type eq "work"].value eq "bjensen@example.com""#,
                true,
            ),
            (
                r#"emails[type eq "work"].value eq "babs@jensen.org""#,
                false,
            ),
            (r#"emails[not (type eq "work")]"#, true),
            (r#"emails[primary eq true and type eq "work"]"#, true),
            (r#"EMAILS[TYPE eq "WORK"]"#, true),
            (r#"ims[type eq "xmpp" and value co "@foo.com"]"#, false),
            // A single-valued complex attribute is its one value.
            (r#"name[givenName eq "Barbara"]"#, true),
            (r#"userName[value eq "x"]"#, false),
            (r#"unknown[value eq "x"]"#, false),
        ],
    );
}

#[test]
fn extension_attributes_are_found_under_their_urn() {
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_table(
        &barbara(),
        &[
            (
                &format!(r#"{enterprise}:department eq "tour operations""#),
                true,
            ),
            (
                &format!(r#"{enterprise}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#),
                true,
            ),
            (
                &format!(r#"{enterprise}:manager.displayName sw "John""#),
                true,
            ),
            (&format!(r#"{enterprise}:manager pr"#), true),
            (&format!(r#"{enterprise}:costCenter pr"#), false),
            (
                r#"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT pr"#,
                true,
            ),
            // Without the URN, `department` is a (missing) core attribute (RFC 7644 §3.10).
            (r#"department pr"#, false),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen""#,
                true,
            ),
            (r#"urn:example:other:1.0:department pr"#, false),
        ],
    );
}

#[test]
fn present_means_a_non_empty_non_null_value() {
    let resource = json!({
        "title": "",
        "nickName": null,
        "emails": [],
        "phoneNumbers": [{"value": null}],
        "name": {},
        "addresses": [{"locality": "Hollywood"}],
        "active": false,
        "userType": "x",
    });
    assert_table(
        &resource,
        &[
            ("title pr", false),
            ("nickName pr", false),
            ("emails pr", false),
            ("phoneNumbers pr", false),
            ("name pr", false),
            ("addresses pr", true),
            ("active pr", true),
            ("userType pr", true),
            ("missing pr", false),
        ],
    );
}

#[test]
fn unassigned_null_and_empty_are_one_state() {
    let resource = json!({"title": null, "emails": [], "userType": "Employee"});
    assert_table(
        &resource,
        &[
            ("title eq null", true),
            ("emails eq null", true),
            ("missing eq null", true),
            ("userType eq null", false),
            ("userType ne null", true),
            ("title ne null", false),
            // No value to compare: only `not` makes it match.
            (r#"title ne "boss""#, false),
            (r#"not (title eq "boss")"#, true),
        ],
    );
}

#[test]
fn logical_operators_combine_results() {
    assert_table(
        &barbara(),
        &[
            (r#"title pr and userType eq "Employee""#, true),
            (r#"title pr and userType eq "Intern""#, false),
            (r#"title pr or userType eq "Intern""#, true),
            (
                r#"userType eq "Intern" or (active eq true and not (title eq "x"))"#,
                true,
            ),
            (r#"not (active eq true)"#, false),
        ],
    );
}

#[test]
fn attribute_names_in_the_resource_match_case_insensitively() {
    let resource =
        json!({"USERNAME": "alice", "Name": {"GIVENNAME": "Alice"}, "Emails": [{"Value": "a@x"}]});
    assert_table(
        &resource,
        &[
            (r#"userName eq "alice""#, true),
            (r#"name.givenName eq "alice""#, true),
            (r#"emails.value eq "a@x""#, true),
            (r#"emails[value eq "a@x"]"#, true),
        ],
    );
}

#[test]
fn filters_groups_by_member() {
    let group = json!({
        "displayName": "Tour Guides",
        "members": [
            {"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"}
        ]
    });
    let cases = [
        (
            r#"members.value eq "902c246b-6245-4190-8e05-00816be7344a""#,
            true,
        ),
        (
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            true,
        ),
        (r#"members.value eq "missing""#, false),
        (r#"displayName eq "tour guides""#, true),
        (r#"members eq "902c246b-6245-4190-8e05-00816be7344a""#, true),
    ];
    for (filter, expected) in cases {
        let parsed = Filter::parse(filter).unwrap();
        assert_eq!(matches(&parsed, &group, &GROUP), expected, "{filter}");
    }
}

#[test]
fn non_object_resources_match_nothing_but_negations() {
    for resource in [json!(null), json!([1, 2]), json!("userName")] {
        assert!(!matches_user("userName pr", &resource));
        assert!(matches_user("not (userName pr)", &resource));
    }
}

#[test]
fn fold_case_lowercases_unicode_and_borrows_when_it_can() {
    assert_eq!(fold_case("ÉCOLE Straße"), "école straße");
    assert!(matches!(fold_case("already lower"), Cow::Borrowed(_)));
}
