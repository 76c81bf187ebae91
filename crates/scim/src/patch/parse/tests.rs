use serde_json::json;

use super::*;
use crate::error::ScimType;
use crate::schema::{ENTERPRISE_USER_URN, GROUP, USER};

fn body(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

fn parse_ok(operations: Value) -> Vec<PatchOp> {
    parse(&body(operations.clone()))
        .unwrap_or_else(|e| panic!("{operations}: {e}"))
        .ops
}

fn scim_type(body: &Value) -> Option<ScimType> {
    parse(body).err().and_then(|e| e.scim_type)
}

fn path(text: &str) -> Option<PatchPath> {
    Some(PatchPath::parse(text).unwrap())
}

#[test]
fn reads_an_rfc_7644_operation() {
    let ops = parse_ok(json!([{"op": "add", "path": "nickName", "value": "Babs"}]));
    assert_eq!(
        ops,
        vec![PatchOp {
            op: OpKind::Add,
            path: path("nickName"),
            value: Some(json!("Babs")),
        }]
    );
}

#[test]
fn op_names_are_case_insensitive_as_entra_id_capitalizes_them() {
    for (keyword, kind) in [
        ("Replace", OpKind::Replace),
        ("ADD", OpKind::Add),
        ("Remove", OpKind::Remove),
    ] {
        let ops = parse_ok(json!([{"op": keyword, "path": "title", "value": "x"}]));
        // A scalar value on remove is noise (RFC 7644 §3.5.2.2 defines none).
        assert_eq!(ops.first().map(|o| o.op), Some(kind), "{keyword}");
    }
}

#[test]
fn member_names_of_the_body_are_case_insensitive() {
    let body = json!({
        "SCHEMAS": [PATCH_OP_SCHEMA.to_uppercase()],
        "operations": [{"OP": "replace", "Path": "title", "VALUE": "x"}],
    });
    let ops = parse(&body).unwrap().ops;
    assert_eq!(ops.len(), 1);
    assert_eq!(ops.first().and_then(|o| o.value.clone()), Some(json!("x")));
}

#[test]
fn refuses_a_body_that_is_not_a_patch_request_as_invalid_syntax() {
    let cases = [
        ("not an object", json!([])),
        (
            "no schemas",
            json!({"Operations": [{"op": "add", "value": {}}]}),
        ),
        (
            "wrong schema",
            json!({"schemas": ["urn:x"], "Operations": [{"op": "add", "value": {}}]}),
        ),
        ("no Operations", json!({"schemas": [PATCH_OP_SCHEMA]})),
        ("empty Operations", body(json!([]))),
        ("Operations not an array", body(json!({"op": "add"}))),
        ("operation not an object", body(json!(["add"]))),
        ("unknown op", body(json!([{"op": "move", "path": "title"}]))),
        ("missing op", body(json!([{"path": "title", "value": "x"}]))),
    ];
    for (case, body) in cases {
        assert_eq!(scim_type(&body), Some(ScimType::InvalidSyntax), "{case}");
    }
}

#[test]
fn a_malformed_or_non_string_path_is_invalid_path() {
    for bad in [json!("emails[type eq"), json!("a.b.c"), json!(""), json!(7)] {
        let body = body(json!([{"op": "replace", "path": bad, "value": "x"}]));
        assert_eq!(scim_type(&body), Some(ScimType::InvalidPath), "{bad}");
    }
}

#[test]
fn errors_name_the_operation_they_are_about() {
    let body = body(json!([
        {"op": "add", "path": "title", "value": "x"},
        {"op": "add", "path": "a.b.c", "value": "x"},
    ]));
    let error = parse(&body).unwrap_err();
    assert!(
        error.detail.starts_with("Operations[1]: "),
        "{}",
        error.detail
    );
}

#[test]
fn remove_without_path_is_no_target_per_rfc_7644_3_5_2_2() {
    let body = body(json!([{"op": "remove"}]));
    assert_eq!(scim_type(&body), Some(ScimType::NoTarget));
}

#[test]
fn add_or_replace_without_value_is_invalid_value() {
    for op in ["add", "replace"] {
        let body = body(json!([{"op": op, "path": "title"}]));
        assert_eq!(scim_type(&body), Some(ScimType::InvalidValue), "{op}");
    }
}

#[test]
fn an_explicit_null_value_is_kept_as_null() {
    let ops = parse_ok(json!([{"op": "replace", "path": "title", "value": null}]));
    assert_eq!(ops.first().and_then(|o| o.value.clone()), Some(Value::Null));
}

#[test]
fn more_than_the_maximum_of_operations_is_too_many() {
    let one = json!({"op": "add", "path": "title", "value": "x"});
    let at_limit = body(Value::Array(vec![one.clone(); MAX_OPERATIONS]));
    assert!(parse(&at_limit).is_ok());
    let over = body(Value::Array(vec![one; MAX_OPERATIONS + 1]));
    assert_eq!(scim_type(&over), Some(ScimType::TooMany));
}

#[test]
fn a_pathless_value_is_spelled_out_one_operation_per_key() {
    let ops = parse_ok(json!([{"op": "replace", "value": {
        "displayName": "Bjfe",
        "name.givenName": "Kkom",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
    }}]));
    let mut paths: Vec<String> = ops
        .iter()
        .filter_map(|o| o.path.as_ref().map(ToString::to_string))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "displayName",
            "name.givenName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        ]
    );
    assert!(ops.iter().all(|o| o.op == OpKind::Replace));
}

#[test]
fn pathless_keys_that_are_not_attribute_paths_are_skipped() {
    let ops = parse_ok(json!([{"op": "add", "value": {"1bad": 1, "a.b.c": 2, "title": "x"}}]));
    assert_eq!(ops.len(), 1);
    assert_eq!(ops.first().and_then(|o| o.path.clone()), path("title"));
}

#[test]
fn a_pathless_value_that_is_not_an_object_is_invalid_value() {
    let body = body(json!([{"op": "replace", "value": false}]));
    assert_eq!(scim_type(&body), Some(ScimType::InvalidValue));
}

#[test]
fn a_pathless_value_too_large_to_spell_out_is_too_many() {
    let members: Map<String, Value> = (0..=MAX_OPERATIONS)
        .map(|i| (format!("x{i}"), json!(1)))
        .collect();
    let body = body(json!([{"op": "add", "value": members}]));
    assert_eq!(scim_type(&body), Some(ScimType::TooMany));
}

#[test]
fn entra_remove_members_by_value_becomes_one_filtered_remove_per_value() {
    // Microsoft Learn, "Known issues ... SCIM 2.0 protocol compliance", without flag.
    let ops = parse_ok(json!([{
        "op": "Remove",
        "path": "members",
        "value": [{"value": "u1091"}, {"$ref": null, "value": "u2"}],
    }]));
    let paths: Vec<String> = ops
        .iter()
        .filter_map(|o| o.path.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(
        paths,
        [r#"members[value eq "u1091"]"#, r#"members[value eq "u2"]"#]
    );
    assert!(
        ops.iter()
            .all(|o| o.op == OpKind::Remove && o.value.is_none())
    );
}

#[test]
fn remove_with_an_unreadable_value_is_refused_rather_than_removing_everything() {
    for value in [
        json!([]),
        json!([{"display": "x"}]),
        json!({"value": 1}),
        json!([1]),
    ] {
        let body = body(json!([{"op": "remove", "path": "members", "value": value}]));
        assert_eq!(scim_type(&body), Some(ScimType::InvalidValue), "{value}");
    }
}

#[test]
fn remove_by_one_value_object_becomes_a_filtered_remove() {
    let ops = parse_ok(json!([{"op": "remove", "path": "members", "value": {"value": "u1"}}]));
    let paths: Vec<String> = ops
        .iter()
        .filter_map(|o| o.path.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(paths, [r#"members[value eq "u1"]"#]);
}

#[test]
fn remove_with_a_value_filter_ignores_a_redundant_value() {
    let ops = parse_ok(json!([{
        "op": "remove",
        "path": "members[value eq \"u1\"]",
        "value": [{"value": "u1"}],
    }]));
    assert_eq!(ops.len(), 1);
    assert_eq!(ops.first().and_then(|o| o.value.clone()), None);
}

#[test]
fn only_a_type_equality_on_a_multi_valued_attribute_creates_an_element() {
    let emails = USER.attribute("emails").unwrap();
    let manager = USER
        .attribute(&format!("{ENTERPRISE_USER_URN}:manager"))
        .unwrap();
    let filter = |text: &str| Filter::parse(text).unwrap();
    assert_eq!(
        element_for_unmatched_filter(&filter(r#"TYPE eq "work""#), emails),
        Some(Map::from_iter([("type".to_owned(), json!("work"))]))
    );
    for text in [
        r#"type ne "work""#,
        r#"type eq "work" and primary eq true"#,
        r#"value eq "a@b""#,
        "type eq 1",
    ] {
        assert_eq!(
            element_for_unmatched_filter(&filter(text), emails),
            None,
            "{text}"
        );
    }
    assert_eq!(
        element_for_unmatched_filter(&filter(r#"type eq "x""#), manager),
        None
    );
}

#[test]
fn an_unqualified_name_falls_back_to_the_one_extension_defining_it() {
    let found = unqualified_extension_attribute(&USER, "Manager");
    assert_eq!(
        found.map(|(e, a)| (e.id, a.name)),
        Some((ENTERPRISE_USER_URN, "manager"))
    );
    assert!(unqualified_extension_attribute(&USER, "nope").is_none());
    assert!(unqualified_extension_attribute(&GROUP, "manager").is_none());
}
