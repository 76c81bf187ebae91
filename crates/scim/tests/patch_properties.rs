//! Properties of PATCH over arbitrary resources and operations: it never
//! panics, it is a pure function of its inputs, and what it returns keeps
//! the invariants a stored user relies on.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use scim::{
    ENTERPRISE_USER_URN, OpKind, PatchOp, PatchPath, PatchRequest, USER, apply_patch, normalize,
    parse_patch,
};
use serde_json::{Map, Value, json};

/// Attribute names and URNs that exist, in several spellings, plus noise.
const KEYS: &[&str] = &[
    "userName",
    "USERNAME",
    "name",
    "givenName",
    "familyName",
    "displayName",
    "active",
    "emails",
    "Emails",
    "phoneNumbers",
    "value",
    "type",
    "primary",
    "Primary",
    "id",
    "meta",
    "created",
    "groups",
    "schemas",
    "password",
    "manager",
    "department",
    "members",
    ENTERPRISE_USER_URN,
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "x",
];

const PATHS: &[&str] = &[
    "userName",
    "name",
    "name.givenName",
    "displayName",
    "active",
    "emails",
    "emails.primary",
    "emails.value",
    r#"emails[type eq "work"]"#,
    r#"emails[type eq "work"].value"#,
    r#"emails[type eq "work"].primary"#,
    r#"emails[primary eq true]"#,
    r#"emails[value co "@"].type"#,
    "phoneNumbers",
    "id",
    "meta",
    "meta.created",
    "groups",
    "schemas",
    "password",
    ENTERPRISE_USER_URN,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    r#"manager[value eq "m"]"#,
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "unknown",
    "name.unknown",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z.:]{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        proptest::sample::select(&["", "work", "home", "True", "False", "m", "a@b.c", " x "][..])
            .prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A resource: mostly user-like objects, sometimes anything at all.
fn resource() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => (proptest::collection::btree_map(key(), prop_oneof![plausible(), json()], 0..8), proptest::option::of("\\PC{0,6}"))
            .prop_map(|(members, user_name)| {
                let mut object: Map<String, Value> = members.into_iter().collect();
                if let Some(user_name) = user_name {
                    object.insert("userName".to_owned(), Value::from(user_name));
                }
                Value::Object(object)
            }),
        1 => json(),
    ]
}

/// Values of the right shape for some attribute, so that many requests succeed.
fn plausible() -> impl Strategy<Value = Value> {
    let email = (
        proptest::sample::select(&["a@x.org", "b@x.org", "c@x.org"][..]),
        proptest::sample::select(&["work", "home", "other"][..]),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(value, kind, primary)| {
            let mut email = json!({"value": value, "type": kind});
            if let (Some(primary), Some(o)) = (primary, email.as_object_mut()) {
                o.insert("primary".to_owned(), Value::Bool(primary));
            }
            email
        });
    prop_oneof![
        proptest::collection::vec(email.clone(), 0..4).prop_map(Value::Array),
        email,
        proptest::sample::select(&["bjensen", "True", "false", "m", "2011-05-13T04:42:34Z"][..])
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(json!({"givenName": "B", "familyName": "J"})),
        Just(json!({"department": "Sales", "manager": "m"})),
        Just(Value::Null),
    ]
}

fn op() -> impl Strategy<Value = PatchOp> {
    let kind = proptest::sample::select(&[OpKind::Add, OpKind::Remove, OpKind::Replace][..]);
    let path = proptest::option::weighted(
        0.9,
        prop_oneof![
            4 => proptest::sample::select(PATHS).prop_map(str::to_owned),
            1 => "[a-zA-Z.:\\[\\] \"=]{0,16}",
        ],
    );
    let fallback = proptest::sample::select(PATHS);
    let value = prop_oneof![6 => plausible(), 1 => json()];
    (kind, path, fallback, proptest::option::weighted(0.9, value)).prop_map(
        |(op, path, fallback, value)| PatchOp {
            op,
            // A random path that does not parse stands for a known one.
            path: path.map(|p| {
                PatchPath::parse(&p).unwrap_or_else(|_| PatchPath::parse(fallback).unwrap())
            }),
            value,
        },
    )
}

fn request() -> impl Strategy<Value = PatchRequest> {
    proptest::collection::vec(op(), 1..4).prop_map(|ops| PatchRequest { ops })
}

fn get_ci<'v>(object: &'v Map<String, Value>, name: &str) -> Vec<&'v Value> {
    object
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect()
}

/// Every multi-valued complex attribute of the User schema has at most one
/// `primary: true` (RFC 7643 §2.4).
fn assert_single_primary(resource: &Value) {
    let Some(root) = resource.as_object() else {
        panic!("apply returned a non-object: {resource}");
    };
    let mut containers = vec![(root, USER.core.attributes)];
    for extension in USER.extensions {
        for value in get_ci(root, extension.id) {
            if let Some(object) = value.as_object() {
                containers.push((object, extension.attributes));
            }
        }
    }
    for (object, attributes) in containers {
        for attr in attributes
            .iter()
            .filter(|a| a.multi_valued && a.is_complex())
        {
            for value in get_ci(object, attr.name) {
                let primaries = value
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .filter(|item| {
                                item.as_object().is_some_and(|o| {
                                    get_ci(o, "primary").iter().any(|p| **p == json!(true))
                                })
                            })
                            .count()
                    })
                    .unwrap_or(0);
                prop_assert_le_or_panic(primaries, 1, attr.name, resource);
            }
        }
    }
}

fn prop_assert_le_or_panic(count: usize, max: usize, name: &str, resource: &Value) {
    assert!(count <= max, "{count} primary values in {name}: {resource}");
}

fn string_user_name(resource: &Value) -> bool {
    resource
        .as_object()
        .is_some_and(|o| get_ci(o, "userName").iter().any(|v| v.is_string()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn parse_never_panics_on_any_body(operations in json(), schemas in json()) {
        let body = json!({"schemas": schemas, "Operations": operations});
        let _ = parse_patch(&body);
        let with_schema = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        });
        let _ = parse_patch(&with_schema);
    }

    #[test]
    fn parse_then_apply_never_panics(resource in resource(), ops in proptest::collection::vec(
        (proptest::sample::select(&["add", "Replace", "remove", "move"][..]),
         proptest::option::of(proptest::sample::select(PATHS)),
         proptest::option::of(json())), 1..5)) {
        let operations: Vec<Value> = ops
            .into_iter()
            .map(|(op, path, value)| {
                let mut object = Map::new();
                object.insert("op".to_owned(), Value::from(op));
                if let Some(path) = path {
                    object.insert("path".to_owned(), Value::from(path));
                }
                if let Some(value) = value {
                    object.insert("value".to_owned(), value);
                }
                Value::Object(object)
            })
            .collect();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        });
        if let Ok(request) = parse_patch(&body) {
            let _ = apply_patch(&resource, &request, &USER);
        }
    }

    #[test]
    fn apply_is_a_pure_function_of_its_inputs(resource in resource(), request in request()) {
        let copy = resource.clone();
        let first = apply_patch(&resource, &request, &USER);
        let second = apply_patch(&resource, &request, &USER);
        prop_assert_eq!(&resource, &copy);
        prop_assert_eq!(first, second);
    }

    #[test]
    fn a_successful_apply_keeps_one_primary_and_the_user_name(
        resource in resource(),
        request in request(),
    ) {
        if let Ok(patched) = apply_patch(&resource, &request, &USER) {
            assert_single_primary(&patched);
            if string_user_name(&resource) {
                prop_assert!(string_user_name(&patched), "userName lost: {}", patched);
            }
        }
    }

    #[test]
    fn a_normalized_user_patched_stays_normal(body in resource(), request in request()) {
        let mut body = body;
        if let Some(object) = body.as_object_mut() {
            object.insert("schemas".to_owned(), json!(["urn:ietf:params:scim:schemas:core:2.0:User"]));
        }
        if let Ok(user) = normalize(&body, &USER) {
            assert_single_primary(&user);
            prop_assert!(user.get("id").is_none() && user.get("meta").is_none());
            if let Ok(patched) = apply_patch(&user, &request, &USER) {
                assert_single_primary(&patched);
                prop_assert!(patched["userName"].is_string(), "userName lost: {}", patched);
            }
        }
    }
}
