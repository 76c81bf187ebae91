use serde_json::json;

use super::*;
use crate::error::ScimType;
use crate::path::PatchPath;
use crate::schema::{ENTERPRISE_USER_URN, GROUP, USER, USER_URN};

const EXT: &str = ENTERPRISE_USER_URN;

fn user() -> Value {
    json!({
        "schemas": [USER_URN, EXT],
        "id": "2819c223",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "meta": {"resourceType": "User", "created": "2011-08-01T18:29:49.793Z"},
        EXT: {"department": "Tour Operations", "manager": {"value": "26118915"}}
    })
}

fn op(kind: OpKind, path: Option<&str>, value: Option<Value>) -> PatchOp {
    PatchOp {
        op: kind,
        path: path.map(|p| PatchPath::parse(p).unwrap()),
        value,
    }
}

fn run(resource: &Value, ops: Vec<PatchOp>) -> Result<Value, ScimError> {
    apply(resource, &PatchRequest { ops }, &USER)
}

fn ok(resource: &Value, ops: Vec<PatchOp>) -> Value {
    run(resource, ops).unwrap_or_else(|e| panic!("{e}"))
}

fn err(resource: &Value, ops: Vec<PatchOp>) -> Option<ScimType> {
    match run(resource, ops) {
        Ok(value) => panic!("expected an error, got {value}"),
        Err(e) => e.scim_type,
    }
}

fn add(path: &str, value: Value) -> PatchOp {
    op(OpKind::Add, Some(path), Some(value))
}

fn replace(path: &str, value: Value) -> PatchOp {
    op(OpKind::Replace, Some(path), Some(value))
}

fn remove(path: &str) -> PatchOp {
    op(OpKind::Remove, Some(path), None)
}

#[test]
fn replace_sets_a_simple_attribute() {
    let patched = ok(&user(), vec![replace("displayName", json!("Babs"))]);
    assert_eq!(patched["displayName"], json!("Babs"));
}

#[test]
fn attribute_names_in_paths_are_case_insensitive_and_written_canonically() {
    let patched = ok(&user(), vec![replace("DISPLAYNAME", json!("Babs"))]);
    assert_eq!(patched["displayName"], json!("Babs"));
    assert!(patched.get("DISPLAYNAME").is_none());
}

#[test]
fn replace_of_a_sub_attribute_keeps_the_others() {
    let patched = ok(
        &user(),
        vec![replace("name.familyName", json!("Jensen-Smith"))],
    );
    assert_eq!(
        patched["name"],
        json!({"givenName": "Barbara", "familyName": "Jensen-Smith"})
    );
}

#[test]
fn replace_of_a_complex_attribute_merges_its_sub_attributes() {
    // RFC 7644 §3.5.2.3: "Sub-attributes that are not specified ... are left unchanged."
    let patched = ok(&user(), vec![replace("name", json!({"givenName": "Babs"}))]);
    assert_eq!(
        patched["name"],
        json!({"givenName": "Babs", "familyName": "Jensen"})
    );
}

#[test]
fn add_to_a_multi_valued_attribute_appends_without_duplicates() {
    let new = json!({"value": "b@example.org", "type": "other"});
    let existing = json!({"value": "babs@jensen.org", "type": "home"});
    let patched = ok(&user(), vec![add("emails", json!([new, existing]))]);
    let emails = patched["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 3);
    assert_eq!(emails.last(), Some(&new));
}

#[test]
fn add_of_one_value_to_a_multi_valued_attribute_is_an_array_of_one() {
    let patched = ok(
        &user(),
        vec![add("emails", json!({"value": "c@x.org", "type": "other"}))],
    );
    assert_eq!(patched["emails"].as_array().map(Vec::len), Some(3));
}

#[test]
fn replace_of_a_multi_valued_attribute_replaces_all_values() {
    let only = json!({"value": "only@x.org", "type": "work"});
    let patched = ok(&user(), vec![replace("emails", json!([only]))]);
    assert_eq!(patched["emails"], json!([only]));
}

#[test]
fn a_new_primary_value_takes_primary_from_the_others() {
    let new = json!({"value": "new@x.org", "type": "work", "primary": true});
    let patched = ok(&user(), vec![add("emails", json!([new]))]);
    let primaries: Vec<&Value> = patched["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["primary"] == json!(true))
        .collect();
    assert_eq!(primaries, [&new]);
}

#[test]
fn replace_with_a_value_filter_and_sub_attribute_changes_only_matching_values() {
    let patched = ok(
        &user(),
        vec![replace(
            r#"emails[type eq "work"].value"#,
            json!("new@example.com"),
        )],
    );
    assert_eq!(
        patched["emails"],
        json!([
            {"value": "new@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ])
    );
}

#[test]
fn replace_with_a_value_filter_replaces_the_whole_matching_value() {
    let patched = ok(
        &user(),
        vec![replace(
            r#"emails[type eq "home"]"#,
            json!({"value": "h@x.org", "type": "home"}),
        )],
    );
    assert_eq!(
        patched["emails"].get(1),
        Some(&json!({"value": "h@x.org", "type": "home"}))
    );
}

#[test]
fn a_value_filter_compares_per_case_exactness_of_the_schema() {
    // `type` is caseExact false (RFC 7643 §4.1.2), so "WORK" matches "work".
    let patched = ok(
        &user(),
        vec![replace(r#"emails[type eq "WORK"].display"#, json!("Work"))],
    );
    assert_eq!(patched["emails"][0]["display"], json!("Work"));
}

#[test]
fn replace_with_an_unmatched_type_filter_creates_the_value() {
    let patched = ok(
        &user(),
        vec![replace(
            r#"emails[type eq "other"].value"#,
            json!("o@x.org"),
        )],
    );
    assert_eq!(
        patched["emails"].get(2),
        Some(&json!({"type": "other", "value": "o@x.org"}))
    );
}

#[test]
fn replace_with_an_unmatched_whole_value_filter_creates_it_keeping_the_type() {
    let patched = ok(
        &user(),
        vec![replace(
            r#"emails[type eq "other"]"#,
            json!({"value": "o@x.org"}),
        )],
    );
    assert_eq!(
        patched["emails"].get(2),
        Some(&json!({"type": "other", "value": "o@x.org"}))
    );
}

#[test]
fn replace_with_any_other_unmatched_filter_is_no_target() {
    let cases = [
        r#"emails[value eq "nobody@x.org"].type"#,
        r#"emails[type eq "other" and primary eq true].value"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "x"].value"#,
    ];
    for path in cases {
        assert_eq!(
            err(&user(), vec![replace(path, json!("v"))]),
            Some(ScimType::NoTarget),
            "{path}"
        );
    }
}

#[test]
fn remove_with_a_value_filter_removes_matching_values() {
    let patched = ok(&user(), vec![remove(r#"emails[type eq "home"]"#)]);
    assert_eq!(
        patched["emails"],
        json!([{"value": "bjensen@example.com", "type": "work", "primary": true}])
    );
}

#[test]
fn remove_of_the_last_values_leaves_the_attribute_unassigned() {
    let patched = ok(&user(), vec![remove(r#"emails[value co "@"]"#)]);
    assert!(patched.get("emails").is_none());
}

#[test]
fn remove_with_a_filter_and_sub_attribute_removes_only_that_sub_attribute() {
    let patched = ok(&user(), vec![remove(r#"emails[type eq "work"].primary"#)]);
    assert_eq!(
        patched["emails"][0],
        json!({"value": "bjensen@example.com", "type": "work"})
    );
}

#[test]
fn remove_with_an_unmatched_filter_changes_nothing() {
    let patched = ok(&user(), vec![remove(r#"emails[type eq "other"]"#)]);
    assert_eq!(patched, user());
}

#[test]
fn remove_of_a_whole_attribute_and_of_an_absent_one() {
    let patched = ok(&user(), vec![remove("emails"), remove("title")]);
    assert!(patched.get("emails").is_none());
    assert!(patched.get("title").is_none());
}

#[test]
fn remove_of_a_sub_attribute_removes_it_from_every_value() {
    let patched = ok(&user(), vec![remove("emails.type")]);
    assert_eq!(
        patched["emails"],
        json!([{"value": "bjensen@example.com", "primary": true}, {"value": "babs@jensen.org"}])
    );
}

#[test]
fn remove_of_an_extension_urn_removes_the_extension_and_its_schema() {
    let patched = ok(&user(), vec![remove(EXT)]);
    assert!(patched.get(EXT).is_none());
    assert_eq!(patched["schemas"], json!([USER_URN]));
}

#[test]
fn null_on_replace_or_add_means_unassigned() {
    let patched = ok(
        &user(),
        vec![
            replace("name.givenName", Value::Null),
            add("active", Value::Null),
        ],
    );
    assert_eq!(patched["name"], json!({"familyName": "Jensen"}));
    assert!(patched.get("active").is_none());
}

#[test]
fn extension_attributes_are_written_under_the_extension_urn() {
    let bare = json!({"schemas": [USER_URN], "userName": "bjensen"});
    let patched = ok(
        &bare,
        vec![replace(&format!("{EXT}:department"), json!("Sales"))],
    );
    assert_eq!(patched[EXT], json!({"department": "Sales"}));
    assert_eq!(patched["schemas"], json!([USER_URN, EXT]));
}

#[test]
fn an_extension_urn_path_takes_an_object_of_its_attributes() {
    let patched = ok(
        &user(),
        vec![replace(
            EXT,
            json!({"costCenter": "4130", "Department": "Sales"}),
        )],
    );
    assert_eq!(
        patched[EXT],
        json!({"department": "Sales", "costCenter": "4130", "manager": {"value": "26118915"}})
    );
}

#[test]
fn a_manager_given_as_a_string_becomes_an_object() {
    let patched = ok(
        &user(),
        vec![replace(&format!("{EXT}:manager"), json!("boss-id"))],
    );
    assert_eq!(patched[EXT]["manager"], json!({"value": "boss-id"}));
}

#[test]
fn a_pathless_value_with_plain_dotted_and_urn_keys() {
    let patched = ok(
        &user(),
        vec![op(
            OpKind::Replace,
            None,
            Some(json!({
                "displayName": "Babs",
                "name.givenName": "Babs",
                format!("{EXT}:department"): "Sales",
                EXT: {"costCenter": "4130"},
            })),
        )],
    );
    assert_eq!(patched["displayName"], json!("Babs"));
    assert_eq!(patched["name"]["givenName"], json!("Babs"));
    assert_eq!(patched[EXT]["department"], json!("Sales"));
    assert_eq!(patched[EXT]["costCenter"], json!("4130"));
}

#[test]
fn boolean_strings_are_stored_as_booleans() {
    let patched = ok(&user(), vec![replace("active", json!("False"))]);
    assert_eq!(patched["active"], json!(false));
}

#[test]
fn values_of_the_wrong_type_are_invalid_value() {
    let cases = [
        replace("active", json!("no")),
        replace("userName", json!(7)),
        replace("name", json!("Barbara")),
        replace("name.givenName", json!({"x": 1})),
        add("emails", json!(["a@b"])),
        replace(r#"emails[type eq "work"].primary"#, json!("yes")),
        replace(&format!("{EXT}:department"), json!(["a"])),
        op(OpKind::Add, None, Some(json!(["not", "an", "object"]))),
    ];
    for case in cases {
        let label = format!("{case:?}");
        assert_eq!(
            err(&user(), vec![case]),
            Some(ScimType::InvalidValue),
            "{label}"
        );
    }
}

#[test]
fn read_only_attributes_cannot_change() {
    let cases = [
        replace("id", json!("other")),
        replace("meta.created", json!("2020-01-01T00:00:00Z")),
        add("groups", json!([{"value": "g1"}])),
        remove("id"),
        remove("meta"),
        replace(&format!("{EXT}:manager.displayName"), json!("Boss")),
    ];
    for case in cases {
        let label = format!("{case:?}");
        assert_eq!(
            err(&user(), vec![case]),
            Some(ScimType::Mutability),
            "{label}"
        );
    }
}

#[test]
fn writing_a_read_only_attribute_s_current_value_is_silently_nothing() {
    let patched = ok(
        &user(),
        vec![
            replace("id", json!("2819c223")),
            replace("meta", json!({"resourceType": "User"})),
            replace("groups", json!([])),
            remove("groups"),
        ],
    );
    assert_eq!(patched, user());
}

#[test]
fn read_only_sub_attributes_inside_a_writable_value_are_dropped() {
    let patched = ok(
        &user(),
        vec![replace(
            &format!("{EXT}:manager"),
            json!({"value": "boss", "displayName": "The Boss"}),
        )],
    );
    assert_eq!(patched[EXT]["manager"], json!({"value": "boss"}));
}

#[test]
fn immutable_attributes_may_be_set_only_while_unassigned() {
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                       "displayName": "g", "members": [{"value": "u1"}]});
    let set = PatchRequest {
        ops: vec![replace("members.value", json!("u2"))],
    };
    let error = apply(&group, &set, &GROUP).unwrap_err();
    assert_eq!(error.scim_type, Some(ScimType::Mutability));
    let empty = json!({"displayName": "g"});
    let patched = apply(&empty, &set, &GROUP).unwrap();
    assert_eq!(patched["members"], json!([{"value": "u2"}]));
}

#[test]
fn unknown_attributes_are_ignored_whatever_the_operation() {
    let patched = ok(
        &user(),
        vec![
            replace("favoriteColor", json!("blue")),
            add("name.nickname", json!("x")),
            remove("urn:example:custom:1.0:User:badge"),
            replace(r#"pets[type eq "cat"].name"#, json!("Tom")),
        ],
    );
    assert_eq!(patched, user());
}

#[test]
fn a_value_filter_on_an_attribute_without_sub_attributes_is_invalid_path() {
    let error = err(
        &user(),
        vec![replace(r#"userName[value eq "x"]"#, json!("y"))],
    );
    assert_eq!(error, Some(ScimType::InvalidPath));
}

#[test]
fn removing_a_required_attribute_is_invalid_value() {
    for case in [remove("userName"), replace("userName", Value::Null)] {
        let label = format!("{case:?}");
        assert_eq!(
            err(&user(), vec![case]),
            Some(ScimType::InvalidValue),
            "{label}"
        );
    }
}

#[test]
fn a_changed_user_name_is_trimmed_and_must_not_be_empty() {
    let patched = ok(&user(), vec![replace("userName", json!("  babs "))]);
    assert_eq!(patched["userName"], json!("babs"));
    assert_eq!(
        err(&user(), vec![replace("userName", json!("   "))]),
        Some(ScimType::InvalidValue)
    );
}

#[test]
fn one_failing_operation_discards_the_whole_request() {
    let original = user();
    let result = run(
        &original,
        vec![
            replace("displayName", json!("Babs")),
            replace("id", json!("other")),
        ],
    );
    assert!(result.is_err());
    assert_eq!(original, user());
}

#[test]
fn operations_apply_in_order() {
    let patched = ok(
        &user(),
        vec![
            replace("title", json!("first")),
            remove("title"),
            add("title", json!("last")),
        ],
    );
    assert_eq!(patched["title"], json!("last"));
}

#[test]
fn a_resource_that_is_not_an_object_is_an_internal_error() {
    let error = run(&json!([]), vec![remove("title")]).unwrap_err();
    assert_eq!(error.status, 500);
}

#[test]
fn schemas_list_the_extension_exactly_when_it_has_attributes() {
    let bare = json!({"schemas": [USER_URN, EXT, "urn:x"], "userName": "a"});
    let patched = ok(&bare, vec![replace("title", json!("t"))]);
    assert_eq!(patched["schemas"], json!([USER_URN]));
}

#[test]
fn an_unqualified_extension_attribute_filter_reaches_the_extension() {
    // Entra ID (thomaspoignant/scim-patch #453) omits the enterprise URN.
    let patched = ok(&user(), vec![remove(r#"manager[value eq "26118915"]"#)]);
    assert_eq!(patched[EXT], json!({"department": "Tour Operations"}));
}

#[test]
fn the_core_urn_as_a_path_takes_an_object_of_core_attributes() {
    let patched = ok(
        &user(),
        vec![replace(
            USER_URN,
            json!({"title": "Guide", "name.givenName": "Babs"}),
        )],
    );
    assert_eq!(patched["title"], json!("Guide"));
    assert_eq!(patched["name"]["givenName"], json!("Babs"));
    assert_eq!(
        err(&user(), vec![replace(USER_URN, Value::Null)]),
        Some(ScimType::InvalidValue)
    );
}
