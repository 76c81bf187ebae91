//! Request bodies Okta sends, replayed through the public API as the HTTP
//! layer will use it. Bodies are from Okta's "SCIM 2.0 Protocol Reference"
//! (developer.okta.com, okta/okta-developer-docs `docs/reference/scim/scim-20`)
//! unless a test says otherwise. One behaviour per test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use scim::{
    ENTERPRISE_USER_URN, Filter, USER, USER_URN, list_response, normalize, parse_patch, project,
};
use serde_json::{Value, json};

/// "Create the User": what Okta POSTs to /Users.
fn okta_create() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": true
    })
}

/// The user as stored after the create, with the server's id and meta.
fn stored_user() -> Value {
    let mut user = normalize(&okta_create(), &USER).unwrap();
    let object = user.as_object_mut().unwrap();
    object.insert("id".into(), json!("23a35c27-23d3-4c03-b4c5-6443c09e7173"));
    object.insert("meta".into(), json!({"resourceType": "User"}));
    user
}

fn patch(user: &Value, body: &Value) -> Value {
    parse_patch(body)
        .and_then(|request| request.apply(user, &USER))
        .unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[test]
fn create_user_keeps_the_profile_and_drops_the_read_only_groups() {
    let user = normalize(&okta_create(), &USER).unwrap();
    let mut expected = okta_create();
    expected.as_object_mut().unwrap().remove("groups");
    assert_eq!(user, expected);
}

#[test]
fn create_user_with_the_enterprise_extension_keeps_department_under_its_urn() {
    // Okta sends the extension object when the app's profile maps
    // enterprise attributes (external names prefixed
    // `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:`).
    let mut body = okta_create();
    let object = body.as_object_mut().unwrap();
    object.insert("schemas".into(), json!([USER_URN, ENTERPRISE_USER_URN]));
    object.insert(
        ENTERPRISE_USER_URN.into(),
        json!({"department": "Engineering", "employeeNumber": "1042"}),
    );
    let user = normalize(&body, &USER).unwrap();
    assert_eq!(
        user[ENTERPRISE_USER_URN],
        json!({"department": "Engineering", "employeeNumber": "1042"})
    );
    assert_eq!(user["schemas"], json!([USER_URN, ENTERPRISE_USER_URN]));
}

#[test]
fn put_full_replace_drops_id_meta_and_groups_and_keeps_the_new_profile() {
    // "Update the User": Okta PUTs the whole user it read, changed.
    let put = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
        "userName": "test.user@okta.local",
        "name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
        "emails": [{
            "primary": true,
            "value": "test.user@okta.local",
            "type": "work",
            "display": "test.user@okta.local"
        }],
        "active": true,
        "groups": [],
        "meta": {"resourceType": "User"}
    });
    let user = normalize(&put, &USER).unwrap();
    assert_eq!(
        user,
        json!({
            "schemas": [USER_URN],
            "userName": "test.user@okta.local",
            "name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
            "emails": [{
                "primary": true,
                "value": "test.user@okta.local",
                "type": "work",
                "display": "test.user@okta.local"
            }],
            "active": true
        })
    );
}

#[test]
fn patch_deactivation_without_path_sets_active_false() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    });
    let patched = patch(&stored_user(), &body);
    let mut expected = stored_user();
    expected["active"] = json!(false);
    assert_eq!(patched, expected);
}

#[test]
fn patch_reactivation_without_path_sets_active_true() {
    let mut inactive = stored_user();
    inactive["active"] = json!(false);
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": true}}]
    });
    assert_eq!(patch(&inactive, &body)["active"], json!(true));
}

#[test]
fn patch_password_sync_writes_the_password_which_is_never_returned() {
    // "Syncing the user password" is one of Okta's PATCH operations.
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"password": "n3wPassw0rd"}}]
    });
    let patched = patch(&stored_user(), &body);
    assert_eq!(patched["password"], json!("n3wPassw0rd"));
    assert!(project(&patched, &[], &[], &USER).get("password").is_none());
}

#[test]
fn get_user_shows_the_profile_without_the_password() {
    let shown = project(&stored_user(), &[], &[], &USER);
    assert!(shown.get("password").is_none());
    assert_eq!(shown["id"], json!("23a35c27-23d3-4c03-b4c5-6443c09e7173"));
    assert_eq!(shown["userName"], json!("test.user@okta.local"));
}

#[test]
fn user_lookup_by_user_name_ignores_case() {
    // Okta's spec test "Username Case Sensitivity Check" (scim2-server test_okta.py).
    let filter = Filter::parse_for(r#"userName eq "TEST.USER@okta.local""#, &USER).unwrap();
    assert!(filter.matches(&stored_user(), &USER));
}

#[test]
fn import_page_counts_are_integers_and_resources_an_array() {
    // "Retrieve Users": GET /Users?startIndex=1&count=100, pages of 100.
    let page = list_response(vec![stored_user()], 250, 1, 1, None);
    assert_eq!(
        page["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert!(page["totalResults"].is_u64());
    assert!(page["startIndex"].is_u64());
    assert!(page["itemsPerPage"].is_u64());
    assert_eq!(page["Resources"].as_array().map(Vec::len), Some(1));
}
