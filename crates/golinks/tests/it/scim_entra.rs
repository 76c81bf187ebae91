//! Microsoft Entra ID's provisioning traffic, replayed: the request shapes of Entra's SCIM
//! client as Microsoft documents them ("Tutorial: Develop and plan provisioning for a SCIM
//! endpoint"), quirks included: capitalized `op`s, `"False"` strings, `emails[type eq
//! "work"].value` paths, the manager as a bare id, Test Connection's random userName filter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, patch_op};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn entra_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "displayName": "Grace Hopper",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Grace Hopper", "familyName": "Hopper", "givenName": "Grace"},
        "roles": [],
        ENTERPRISE: {"department": "Navy"}
    })
}

fn patch(ops: Value) -> Option<Value> {
    Some(patch_op(ops))
}

async fn entra_test_connection_finds_nobody_with_a_random_user_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let path = "/Users?filter=userName+eq+%22a4bfcfd9-1a9c-4c27-bb24-4cc7cb3b1b1c%22";
    let (status, list) = app.scim_json(Method::GET, path, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(list["totalResults"], 0);
    assert_eq!(list["Resources"], json!([]));
}

async fn entra_creates_and_updates_a_person_with_its_patch_quirks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let (status, found) = app
        .scim_json(
            Method::GET,
            "/Users?filter=externalId+eq+%220a21f0f2%22",
            &token,
            None,
        )
        .await;
    assert_eq!((status, found["totalResults"].clone()), (200, json!(0)));
    let (status, grace) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(entra_user("grace@navy.example", "0a21f0f2")),
        )
        .await;
    assert_eq!(status, 201, "{grace}");
    let id = grace["id"].as_str().expect("id").to_owned();
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Users?filter=externalId+eq+%220a21f0f2%22",
            &token,
            None,
        )
        .await;
    assert_eq!(found["Resources"][0]["id"], json!(id));
    let boss = app
        .scim_create(&token, entra_user("boss@navy.example", "b055"))
        .await;
    let boss_id = boss["id"].as_str().expect("id");

    let (status, changed) = app.scim_json(Method::PATCH, &format!("/Users/{id}"), &token, patch(json!([
        {"op": "Replace", "path": "displayName", "value": "Rear Admiral Hopper"},
        {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Computing"},
        {"op": "Replace", "path": "name.familyName", "value": "Hopper-Murray"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "grace.hopper@navy.example"},
        {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": boss_id}
    ]))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["displayName"], "Rear Admiral Hopper");
    assert_eq!(changed[ENTERPRISE]["department"], "Computing");
    assert_eq!(
        changed[ENTERPRISE]["manager"]["value"],
        json!(boss_id),
        "a bare manager id becomes {{value}}"
    );
    assert_eq!(changed["name"]["familyName"], "Hopper-Murray");
    let emails = changed["emails"].as_array().expect("emails");
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["value"], "grace.hopper@navy.example");

    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            patch(json!([
                {"op": "Remove", "path": format!("{ENTERPRISE}:manager")}
            ])),
        )
        .await;
    assert_eq!(status, 200);
    let (_, now) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert!(now[ENTERPRISE].get("manager").is_none(), "{now}");
    let (_, by_email) = app
        .scim_json(
            Method::GET,
            "/Users?filter=emails.value+eq+%22GRACE.hopper%40navy.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(
        by_email["totalResults"], 1,
        "emails.value filters ignore case and see the new email"
    );
}

async fn entra_adds_a_work_email_to_a_person_without_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let mut body = entra_user("nomail@navy.example", "n0");
    body.as_object_mut().expect("object").remove("emails");
    let created = app.scim_create(&token, body).await;
    let id = created["id"].as_str().expect("id");
    let (status, changed) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            patch(json!([
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "new@navy.example"}
            ])),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["emails"][0]["value"], "new@navy.example");
    assert_eq!(changed["emails"][0]["type"], "work");
}

async fn entra_deactivates_with_a_string_boolean(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let created = app
        .scim_create(&token, entra_user("grace@navy.example", "g1"))
        .await;
    let id = created["id"].as_str().expect("id");
    let (status, off) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            patch(json!([
                {"op": "Replace", "path": "active", "value": "False"}
            ])),
        )
        .await;
    assert_eq!(
        (status, off["active"].clone()),
        (200, json!(false)),
        "{off}"
    );
    let (_, inactive) = app
        .scim_json(Method::GET, "/Users?filter=active+eq+false", &token, None)
        .await;
    assert_eq!(inactive["totalResults"], 1);
    let (status, on) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            patch(json!([
                {"op": "Replace", "path": "active", "value": "True"}
            ])),
        )
        .await;
    assert_eq!((status, on["active"].clone()), (200, json!(true)));
}

on_both_backends!(
    entra_test_connection_finds_nobody_with_a_random_user_name,
    entra_creates_and_updates_a_person_with_its_patch_quirks,
    entra_adds_a_work_email_to_a_person_without_one,
    entra_deactivates_with_a_string_boolean,
);
