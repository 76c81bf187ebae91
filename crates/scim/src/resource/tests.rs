use serde_json::json;

use super::*;
use crate::error::ScimType;
use crate::schema::{ENTERPRISE_USER_URN, GROUP, USER, USER_URN};

const EXT: &str = ENTERPRISE_USER_URN;

fn normalized(body: Value) -> Value {
    normalize(&body, &USER).unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn refused(body: Value) -> Option<ScimType> {
    match normalize(&body, &USER) {
        Ok(value) => panic!("expected an error, got {value}"),
        Err(e) => e.scim_type,
    }
}

fn paths(list: &str) -> Vec<AttrPath> {
    parse_attribute_list(list).unwrap()
}

#[test]
fn coerce_bool_reads_booleans_and_boolean_strings_only() {
    let cases = [
        (json!(true), Some(true)),
        (json!(false), Some(false)),
        (json!("True"), Some(true)),
        (json!("False"), Some(false)),
        (json!("TRUE"), Some(true)),
        (json!("false"), Some(false)),
        (json!("yes"), None),
        (json!(1), None),
        (json!(null), None),
        (json!(" true"), None),
    ];
    for (value, expected) in cases {
        assert_eq!(coerce_bool(&value), expected, "{value}");
    }
}

#[test]
fn a_minimal_body_is_kept_with_its_schemas() {
    let body = json!({"schemas": [USER_URN], "userName": "bjensen"});
    assert_eq!(normalized(body.clone()), body);
}

#[test]
fn read_only_attributes_from_the_client_are_dropped() {
    let body = json!({
        "schemas": [USER_URN],
        "id": "client-chosen",
        "userName": "bjensen",
        "meta": {"resourceType": "User"},
        "groups": [{"value": "g1"}],
        EXT: {"manager": {"value": "boss", "displayName": "The Boss"}},
    });
    assert_eq!(
        normalized(body),
        json!({
            "schemas": [USER_URN, EXT],
            "userName": "bjensen",
            EXT: {"manager": {"value": "boss"}},
        })
    );
}

#[test]
fn attribute_names_take_the_schema_s_spelling() {
    let body = json!({
        "schemas": [USER_URN],
        "USERNAME": "bjensen",
        "Name": {"GivenName": "Barbara"},
        "Emails": [{"Value": "b@x.org", "Primary": true}],
        EXT.to_lowercase(): {"Department": "Sales"},
    });
    assert_eq!(
        normalized(body),
        json!({
            "schemas": [USER_URN, EXT],
            "userName": "bjensen",
            "name": {"givenName": "Barbara"},
            "emails": [{"value": "b@x.org", "primary": true}],
            EXT: {"department": "Sales"},
        })
    );
}

#[test]
fn unknown_attributes_and_foreign_extensions_are_dropped() {
    let body = json!({
        "schemas": [USER_URN, "urn:example:custom:1.0:User"],
        "userName": "bjensen",
        "favoriteColor": "blue",
        "name": {"givenName": "B", "nick": "x"},
        "urn:example:custom:1.0:User": {"badge": "7"},
        "1-not-a-name": true,
    });
    assert_eq!(
        normalized(body),
        json!({"schemas": [USER_URN], "userName": "bjensen", "name": {"givenName": "B"}})
    );
}

#[test]
fn urn_qualified_and_dotted_keys_are_read_as_paths() {
    let body = json!({
        "schemas": [USER_URN],
        "urn:ietf:params:scim:schemas:core:2.0:User:userName": "bjensen",
        "name.familyName": "Jensen",
        format!("{EXT}:department"): "Sales",
    });
    assert_eq!(
        normalized(body),
        json!({
            "schemas": [USER_URN, EXT],
            "userName": "bjensen",
            "name": {"familyName": "Jensen"},
            EXT: {"department": "Sales"},
        })
    );
}

#[test]
fn boolean_strings_and_a_string_manager_are_coerced() {
    let body = json!({
        "schemas": [USER_URN, EXT],
        "userName": "bjensen",
        "active": "True",
        "emails": [{"value": "b@x.org", "primary": "False"}],
        EXT: {"manager": "boss-id"},
    });
    let user = normalized(body);
    assert_eq!(user["active"], json!(true));
    assert_eq!(user["emails"][0]["primary"], json!(false));
    assert_eq!(user[EXT]["manager"], json!({"value": "boss-id"}));
}

#[test]
fn only_the_first_primary_value_stays_primary() {
    let body = json!({
        "schemas": [USER_URN],
        "userName": "bjensen",
        "emails": [
            {"value": "a@x.org", "primary": true},
            {"value": "b@x.org", "primary": true},
        ],
    });
    assert_eq!(
        normalized(body)["emails"],
        json!([{"value": "a@x.org", "primary": true}, {"value": "b@x.org", "primary": false}])
    );
}

#[test]
fn user_name_is_trimmed_and_other_strings_are_kept_as_sent() {
    let body = json!({"schemas": [USER_URN], "userName": " bjensen\t", "displayName": " B "});
    let user = normalized(body);
    assert_eq!(user["userName"], json!("bjensen"));
    assert_eq!(user["displayName"], json!(" B "));
}

#[test]
fn nulls_and_empty_arrays_are_unassigned() {
    let body = json!({
        "schemas": [USER_URN],
        "userName": "bjensen",
        "title": null,
        "roles": [],
        "emails": [null],
    });
    assert_eq!(
        normalized(body),
        json!({"schemas": [USER_URN], "userName": "bjensen"})
    );
}

#[test]
fn password_is_kept_for_the_caller_and_never_projected() {
    let body = json!({"schemas": [USER_URN], "userName": "bjensen", "password": "1mz050nq"});
    let user = normalized(body);
    assert_eq!(user["password"], json!("1mz050nq"));
    assert!(project(&user, &[], &[], &USER).get("password").is_none());
    assert!(
        project(&user, &paths("password"), &[], &USER)
            .get("password")
            .is_none()
    );
}

#[test]
fn a_body_without_the_core_schema_is_invalid_value() {
    let cases = [
        json!({"userName": "bjensen"}),
        json!({"schemas": [], "userName": "bjensen"}),
        json!({"schemas": "urn:ietf:params:scim:schemas:core:2.0:User", "userName": "b"}),
        json!({"schemas": [EXT], "userName": "bjensen"}),
    ];
    for body in cases {
        let label = body.to_string();
        assert_eq!(refused(body), Some(ScimType::InvalidValue), "{label}");
    }
}

#[test]
fn a_body_that_is_not_an_object_is_invalid_syntax() {
    assert_eq!(refused(json!(["userName"])), Some(ScimType::InvalidSyntax));
}

#[test]
fn user_name_is_required_and_not_empty() {
    for user_name in [None, Some(json!("")), Some(json!("  ")), Some(Value::Null)] {
        let mut body = json!({"schemas": [USER_URN]});
        if let (Some(v), Some(o)) = (user_name.clone(), body.as_object_mut()) {
            o.insert("userName".to_owned(), v);
        }
        assert_eq!(refused(body), Some(ScimType::InvalidValue), "{user_name:?}");
    }
}

#[test]
fn values_of_the_wrong_type_are_invalid_value() {
    let cases = [
        json!({"userName": 42}),
        json!({"userName": "b", "active": "maybe"}),
        json!({"userName": "b", "emails": {"value": "a@x.org"}}),
        json!({"userName": "b", "emails": ["a@x.org"]}),
        json!({"userName": "b", "name": "Barbara Jensen"}),
        json!({"userName": "b", EXT: "Sales"}),
        json!({"userName": "b", EXT: {"department": 7}}),
        json!({"userName": "b", "x509Certificates": [{"value": 1}]}),
    ];
    for mut body in cases {
        if let Some(o) = body.as_object_mut() {
            o.insert("schemas".to_owned(), json!([USER_URN]));
        }
        let label = body.to_string();
        assert_eq!(refused(body), Some(ScimType::InvalidValue), "{label}");
    }
}

#[test]
fn a_group_body_needs_its_display_name() {
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "members": []});
    let error = normalize(&body, &GROUP).unwrap_err();
    assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
}

fn stored() -> Value {
    json!({
        "schemas": [USER_URN, EXT],
        "id": "2819c223",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@x.org", "type": "work", "primary": true}],
        "password": "secret",
        "meta": {"resourceType": "User"},
        EXT: {"department": "Sales", "manager": {"value": "boss"}},
    })
}

#[test]
fn the_default_projection_shows_all_but_never_returned_attributes() {
    let mut expected = stored();
    if let Some(o) = expected.as_object_mut() {
        o.remove("password");
    }
    assert_eq!(project(&stored(), &[], &[], &USER), expected);
}

#[test]
fn attributes_selects_those_plus_the_always_returned_ones() {
    let projected = project(&stored(), &paths("userName, name.givenName"), &[], &USER);
    assert_eq!(
        projected,
        json!({
            "schemas": [USER_URN, EXT],
            "id": "2819c223",
            "userName": "bjensen",
            "name": {"givenName": "Barbara"},
        })
    );
}

#[test]
fn attributes_match_case_insensitively_and_through_urns() {
    let list = format!(
        "EMAILS.VALUE,{EXT}:Department,urn:ietf:params:scim:schemas:core:2.0:User:USERNAME"
    );
    let projected = project(&stored(), &paths(&list), &[], &USER);
    assert_eq!(projected["emails"], json!([{"value": "b@x.org"}]));
    assert_eq!(projected[EXT], json!({"department": "Sales"}));
    assert_eq!(projected["userName"], json!("bjensen"));
    assert!(projected.get("name").is_none());
}

#[test]
fn an_extension_urn_selects_the_whole_extension() {
    let projected = project(&stored(), &paths(EXT), &[], &USER);
    assert_eq!(projected[EXT], stored()[EXT]);
    assert!(projected.get("userName").is_none());
}

#[test]
fn excluded_attributes_remove_default_ones_but_never_always_ones() {
    let excluded = paths(&format!("emails,name.familyName,id,schemas,{EXT}:manager"));
    let projected = project(&stored(), &[], &excluded, &USER);
    assert!(projected.get("emails").is_none());
    assert_eq!(projected["name"], json!({"givenName": "Barbara"}));
    assert_eq!(projected["id"], json!("2819c223"));
    assert_eq!(projected["schemas"], json!([USER_URN, EXT]));
    assert_eq!(projected[EXT], json!({"department": "Sales"}));
}

#[test]
fn excluding_every_sub_attribute_leaves_the_attribute_out() {
    let projected = project(
        &stored(),
        &[],
        &paths("name.givenName,name.familyName"),
        &USER,
    );
    assert!(projected.get("name").is_none());
}

#[test]
fn unknown_attribute_paths_select_nothing() {
    let projected = project(&stored(), &paths("favoriteColor"), &[], &USER);
    assert_eq!(
        projected,
        json!({"schemas": [USER_URN, EXT], "id": "2819c223"})
    );
}

#[test]
fn parse_attribute_list_skips_blanks_and_refuses_bad_names() {
    assert_eq!(
        paths(" userName ,, name.givenName ,"),
        [
            AttrPath::new("userName"),
            AttrPath::new("name").with_sub_attr("givenName")
        ]
    );
    assert!(paths("").is_empty());
    for bad in [r#"emails[type eq "work"]"#, "a.b.c", "1x", "name."] {
        let error = parse_attribute_list(bad).unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidValue), "{bad}");
    }
}

#[test]
fn parse_attribute_list_bounds_how_many_paths_it_reads() {
    let many = vec!["userName"; MAX_ATTRIBUTE_PATHS].join(",");
    assert_eq!(paths(&many).len(), MAX_ATTRIBUTE_PATHS);
    let error = parse_attribute_list(&format!("{many},title")).unwrap_err();
    assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
}

#[test]
fn a_member_s_display_is_returned_only_on_request() {
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g", "displayName": "Eng",
        "members": [{"value": "u", "$ref": "https://x/Users/u", "type": "User", "display": "Ada"}]
    });
    let default = project(&group, &[], &[], &GROUP);
    assert_eq!(
        default["members"],
        json!([{"value": "u", "$ref": "https://x/Users/u", "type": "User"}])
    );
    for asked in ["members", "members.display"] {
        let shown = project(&group, &paths(asked), &[], &GROUP);
        assert_eq!(shown["members"][0]["display"], "Ada", "{asked}");
    }
}
