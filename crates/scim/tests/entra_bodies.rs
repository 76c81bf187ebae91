//! Request bodies Microsoft Entra ID sends, replayed through the public API.
//! Sources, named per test:
//! - [tutorial]: Microsoft Learn, "Tutorial: Develop and plan provisioning
//!   for a SCIM endpoint in Microsoft Entra ID" (MicrosoftDocs/azure-docs
//!   `use-scim-to-provision-users-and-groups.md`), "SCIM protocol requests
//!   and responses";
//! - [known issues]: Microsoft Learn, "Known issues and resolutions with SCIM
//!   2.0 protocol compliance" (`application-provisioning-config-problem-scim-compatibility.md`),
//!   requests without and with the `aadOptscim062020` flag;
//! - [postman]: the Entra SCIM validator's Postman collection as replayed by
//!   python-scim/scim2-server `tests/integration/test_ms_entra.py`;
//! - issue threads of other SCIM libraries that logged Entra's traffic.
//!
//! One behaviour per test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use scim::{
    ENTERPRISE_USER_URN, Filter, GROUP, USER, USER_URN, list_response, normalize, parse_patch,
};
use serde_json::{Value, json};

const EXT: &str = ENTERPRISE_USER_URN;

/// A provisioned user, as stored.
fn stored_user() -> Value {
    json!({
        "schemas": [USER_URN, EXT],
        "id": "6764549bef60420686bc",
        "externalId": "6c75de36-30fa-4d2d-a196-6bdcdb6b6539",
        "userName": "Test_User_fbb9dda4-fcde-4f98-a68b-6c5599e17c27",
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "active": true,
        "emails": [{"value": "Test_User_22370c1a@testuser.com", "type": "work", "primary": true}],
        "meta": {"resourceType": "User", "created": "2018-03-27T19:59:26.000Z"},
        EXT: {"department": "Sales", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}}
    })
}

fn patch_body(operations: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
}

fn patch(user: &Value, operations: Value) -> Value {
    let body = patch_body(operations);
    parse_patch(&body)
        .and_then(|request| request.apply(user, &USER))
        .unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[test]
fn create_user_drops_meta_and_empty_roles_and_lists_only_schemas_in_use() {
    // [tutorial] "Create User" request.
    let body = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
        "active": true,
        "emails": [{
            "primary": true,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
        }],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": []
    });
    let user = normalize(&body, &USER).unwrap();
    assert_eq!(
        user,
        json!({
            "schemas": [USER_URN],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
            "active": true,
            "emails": [{
                "primary": true,
                "type": "work",
                "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
            }],
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"}
        })
    );
}

#[test]
fn create_enterprise_user_with_capitalized_names_keeps_department_and_manager() {
    // [postman] "Post EnterpriseUser": capitalized attribute names throughout.
    let body = json!({
        "UserName": "UserName222",
        "Active": true,
        "DisplayName": "lennay",
        "schemas": [
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:User"
        ],
        "externalId": "4f1b2c3d",
        "name": {"formatted": "Adrew Ryan", "familyName": "Ryan", "givenName": "Andrew"},
        "emails": [
            {"Primary": true, "type": "work", "value": "testing@bob2.com"},
            {"Primary": false, "type": "home", "value": "testinghome@bob3.com"}
        ],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "Department": "bob",
            "Manager": {"Value": "SuzzyQ"}
        }
    });
    let user = normalize(&body, &USER).unwrap();
    assert_eq!(user["userName"], json!("UserName222"));
    assert_eq!(user["displayName"], json!("lennay"));
    assert_eq!(
        user["emails"][1],
        json!({"primary": false, "type": "home", "value": "testinghome@bob3.com"})
    );
    assert_eq!(
        user[EXT],
        json!({"department": "bob", "manager": {"value": "SuzzyQ"}})
    );
    assert_eq!(user["schemas"], json!([USER_URN, EXT]));
}

#[test]
fn create_user_with_the_manager_as_a_bare_string_stores_an_object() {
    // apache/directory-scimple issue #1242 logged Entra's body shape.
    let body = json!({
        "schemas": [USER_URN, EXT],
        "userName": "myuser@example.com",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "IT",
            "manager": "myuser"
        }
    });
    let user = normalize(&body, &USER).unwrap();
    assert_eq!(user[EXT]["manager"], json!({"value": "myuser"}));
}

#[test]
fn create_group_drops_the_foreign_schema_urn() {
    // [tutorial] "Create Group": Entra lists a Microsoft schema of its own.
    let body = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:Group",
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
        ],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "meta": {"resourceType": "Group"}
    });
    let group = normalize(&body, &GROUP).unwrap();
    assert_eq!(
        group,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName"
        })
    );
}

#[test]
fn disable_user_with_a_capitalized_op_and_a_boolean_string() {
    // [known issues] "Requests made to disable users", without feature flag.
    let patched = patch(
        &stored_user(),
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    );
    assert_eq!(patched["active"], json!(false));
}

#[test]
fn disable_user_with_the_feature_flag_shape() {
    // [known issues] same request, with `aadOptscim062020`.
    let patched = patch(
        &stored_user(),
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    assert_eq!(patched["active"], json!(false));
}

#[test]
fn add_of_a_single_valued_string_with_a_capitalized_op() {
    // [known issues] "Requests to add a single-value string attribute".
    let patched = patch(
        &stored_user(),
        json!([{"op": "Add", "path": "nickName", "value": "Babs"}]),
    );
    assert_eq!(patched["nickName"], json!("Babs"));
}

#[test]
fn replace_of_name_family_name_keeps_the_other_name_parts() {
    // [tutorial] "Update User [Multi-valued properties]", second operation.
    let patched = patch(
        &stored_user(),
        json!([{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}]),
    );
    assert_eq!(
        patched["name"],
        json!({"formatted": "givenName familyName", "familyName": "updatedFamilyName", "givenName": "givenName"})
    );
}

#[test]
fn replace_of_the_work_email_value_changes_the_work_email() {
    // [tutorial] "Update User [Multi-valued properties]", first operation.
    let patched = patch(
        &stored_user(),
        json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"}]),
    );
    assert_eq!(
        patched["emails"],
        json!([{"value": "updatedEmail@microsoft.com", "type": "work", "primary": true}])
    );
}

#[test]
fn add_of_the_work_email_value_creates_it_on_a_user_without_one() {
    // Microsoft's SCIM validator (SCIM-SDK issue #416 logged the request)
    // adds a work email to a user created without emails.
    let mut user = stored_user();
    user.as_object_mut().unwrap().remove("emails");
    let patched = patch(
        &user,
        json!([{"op": "add", "path": "emails[type eq \"work\"].value", "value": "godfrey_stiedemann@vonruedenmueller.com"}]),
    );
    assert_eq!(
        patched["emails"],
        json!([{"type": "work", "value": "godfrey_stiedemann@vonruedenmueller.com"}])
    );
}

#[test]
fn replace_of_the_work_email_value_creates_it_next_to_a_home_email() {
    let mut user = stored_user();
    user["emails"] = json!([{"value": "home@example.com", "type": "home"}]);
    let patched = patch(
        &user,
        json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"}]),
    );
    assert_eq!(
        patched["emails"],
        json!([
            {"value": "home@example.com", "type": "home"},
            {"type": "work", "value": "TestBcwqnm@test.microsoft.com"}
        ])
    );
}

#[test]
fn replace_of_many_attributes_one_path_each() {
    // [known issues] "Requests to replace multiple attributes", without flag.
    let patched = patch(
        &stored_user(),
        json!([
            {"op": "Replace", "path": "displayName", "value": "Pvlo"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
            {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
            {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
            {"op": "Replace", "path": "externalId", "value": "Eqpj"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "Eqpj"}
        ]),
    );
    assert_eq!(patched["displayName"], json!("Pvlo"));
    assert_eq!(
        patched["emails"][0]["value"],
        json!("TestBcwqnm@test.microsoft.com")
    );
    assert_eq!(patched["name"]["givenName"], json!("Gtfd"));
    assert_eq!(patched["name"]["familyName"], json!("Pkqf"));
    assert_eq!(patched["externalId"], json!("Eqpj"));
    assert_eq!(patched[EXT]["employeeNumber"], json!("Eqpj"));
}

#[test]
fn pathless_replace_with_dotted_and_urn_keys() {
    // [known issues] "Requests to replace multiple attributes", with flag.
    let patched = patch(
        &stored_user(),
        json!([{
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
            }
        }]),
    );
    assert_eq!(patched["displayName"], json!("Bjfe"));
    assert_eq!(patched["name"]["givenName"], json!("Kkom"));
    assert_eq!(patched["name"]["familyName"], json!("Unua"));
    assert_eq!(patched[EXT]["employeeNumber"], json!("Aklq"));
    assert_eq!(patched[EXT]["department"], json!("Sales"));
}

#[test]
fn pathless_add_with_a_urn_qualified_department_on_a_user_without_the_extension() {
    // The same shape as an `add` (the flag sends add for new values).
    let mut user = stored_user();
    let object = user.as_object_mut().unwrap();
    object.remove(EXT);
    object.insert("schemas".into(), json!([USER_URN]));
    let patched = patch(
        &user,
        json!([{
            "op": "add",
            "value": {
                "displayName": "Kkom Unua",
                "name.givenName": "Kkom",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Finance"
            }
        }]),
    );
    assert_eq!(patched[EXT], json!({"department": "Finance"}));
    assert_eq!(patched["schemas"], json!([USER_URN, EXT]));
    assert_eq!(patched["displayName"], json!("Kkom Unua"));
}

#[test]
fn manager_added_as_a_bare_id_becomes_an_object() {
    // SCIM-SDK issue #686 logged this Entra request.
    let patched = patch(
        &stored_user(),
        json!([{
            "op": "add",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"
        }]),
    );
    assert_eq!(
        patched[EXT]["manager"],
        json!({"value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"})
    );
}

#[test]
fn manager_replaced_as_a_bare_id_with_a_capitalized_op() {
    let patched = patch(
        &stored_user(),
        json!([{
            "op": "Replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "value": "CEC50F275D83C4530A495FCF"
        }]),
    );
    assert_eq!(
        patched[EXT]["manager"],
        json!({"value": "CEC50F275D83C4530A495FCF"})
    );
}

#[test]
fn manager_removed_by_its_urn_path() {
    let patched = patch(
        &stored_user(),
        json!([{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]),
    );
    assert_eq!(patched[EXT], json!({"department": "Sales"}));
}

#[test]
fn manager_removed_by_an_unqualified_value_filter() {
    // thomaspoignant/scim-patch issue #453 logged this Entra request.
    let patched = patch(
        &stored_user(),
        json!([{"op": "remove", "path": "manager[value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"]"}]),
    );
    assert_eq!(patched[EXT], json!({"department": "Sales"}));
}

#[test]
fn removing_an_absent_manager_again_succeeds() {
    let once = patch(
        &stored_user(),
        json!([{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]),
    );
    let twice = patch(
        &once,
        json!([{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]),
    );
    assert_eq!(once, twice);
}

#[test]
fn group_member_removal_by_value_removes_only_that_member() {
    // [known issues] "Requests to remove a group member", without flag.
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "a99962b9f99d4c4fac67",
        "displayName": "displayName",
        "members": [{"value": "u1091"}, {"value": "u2000"}]
    });
    let body =
        patch_body(json!([{"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}]));
    let patched = parse_patch(&body).unwrap().apply(&group, &GROUP).unwrap();
    assert_eq!(patched["members"], json!([{"value": "u2000"}]));
}

#[test]
fn group_member_add_drops_the_null_ref() {
    // [tutorial] "Update Group [Add Members]".
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "a99962b9f99d4c4fac67",
        "displayName": "displayName"
    });
    let body = patch_body(json!([{
        "op": "Add",
        "path": "members",
        "value": [{"$ref": null, "value": "f648f8d5ea4e4cd38e9c"}]
    }]));
    let patched = parse_patch(&body).unwrap().apply(&group, &GROUP).unwrap();
    assert_eq!(
        patched["members"],
        json!([{"value": "f648f8d5ea4e4cd38e9c"}])
    );
}

#[test]
fn test_connection_query_on_a_random_user_name_matches_nobody() {
    // [tutorial] "Get User by query - Zero results"; Entra's Test Connection
    // sends such a query and expects 200 with an empty list.
    let filter = Filter::parse_for(r#"userName eq "non-existent user""#, &USER).unwrap();
    assert!(!filter.matches(&stored_user(), &USER));
    let page = list_response(Vec::new(), 0, 1, 0, None);
    assert_eq!(page["totalResults"], json!(0));
    assert_eq!(page["Resources"], json!([]));
}
