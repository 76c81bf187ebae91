//! Okta's Group Push, replayed: the request shapes Okta's SCIM 2.0 client sends for groups
//! (Okta's SCIM 2.0 reference: "Create Groups", "Retrieve Groups", "Update a specific Group
//! name", "Update specific Group membership", "Delete a specific Group"), on both backends.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_groups::{GROUP_URN, member_ids, person, sorted};
use crate::support::{Backend, TestApp, patch_op};

async fn patch(app: &TestApp, token: &str, id: &str, ops: Value) -> u16 {
    let (status, body) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{id}"),
            token,
            Some(patch_op(ops)),
        )
        .await;
    assert!(status == 204 || status >= 400, "{status} {body}");
    status
}

async fn okta_pushes_a_group_and_its_members(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let cy = person(&app, &token, "cy@acme.example").await;
    // Okta looks the group up by name before pushing it.
    let (status, found) = app
        .scim_json(
            Method::GET,
            "/Groups?filter=displayName%20eq%20%22Engineering%22&startIndex=1&count=100",
            &token,
            None,
        )
        .await;
    assert_eq!((status, &found["totalResults"]), (200, &json!(0)));
    let (status, created) = app
        .scim_json(
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"schemas": [GROUP_URN], "displayName": "Engineering", "members": []})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Groups?filter=displayName%20eq%20%22Engineering%22&startIndex=1&count=100",
            &token,
            None,
        )
        .await;
    assert_eq!(found["Resources"][0]["id"], json!(id));

    // Rename: a path-less replace carrying the id.
    let status = patch(
        &app,
        &token,
        &id,
        json!([{"op": "replace", "value": {"id": id, "displayName": "Eng"}}]),
    )
    .await;
    assert_eq!(status, 204);
    // Membership: adds and removes in one body.
    patch(
        &app,
        &token,
        &id,
        json!([{"op": "add", "path": "members",
                "value": [{"value": ada, "display": "ada@acme.example"},
                          {"value": bob, "display": "bob@acme.example"}]}]),
    )
    .await;
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&ada, &bob]));
    patch(
        &app,
        &token,
        &id,
        json!([
            {"op": "add", "path": "members", "value": [{"value": cy, "display": "cy@acme.example"}]},
            {"op": "remove", "path": format!("members[value eq \"{ada}\"]")},
        ]),
    )
    .await;
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&bob, &cy]));
    patch(
        &app,
        &token,
        &id,
        json!([{"op": "replace", "path": "members", "value": [{"value": ada}]}]),
    )
    .await;
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&ada]));
    patch(
        &app,
        &token,
        &id,
        json!([{"op": "replace", "path": "members", "value": []}]),
    )
    .await;
    assert!(member_ids(&app, &token, &id).await.is_empty());

    // Push as a whole: PUT with the full membership.
    let (status, put) = app
        .scim_json(
            Method::PUT,
            &format!("/Groups/{id}"),
            &token,
            Some(
                json!({"schemas": [GROUP_URN], "id": id, "displayName": "Eng",
                        "members": [{"value": bob, "display": "bob@acme.example"},
                                    {"value": cy, "display": "cy@acme.example"}]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&bob, &cy]));
    let (_, read) = app
        .scim_json(Method::GET, &format!("/Groups/{id}"), &token, None)
        .await;
    assert_eq!(read["displayName"], "Eng");

    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Groups/{id}"), &token, None)
        .await;
    assert_eq!(status, 204);
}

async fn okta_imports_groups_page_by_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    for n in 0..5 {
        crate::scim_groups::group(&app, &token, &format!("Team {n}"), &[]).await;
    }
    let mut seen = Vec::new();
    let mut start = 1;
    for _ in 0..10 {
        let (status, page) = app
            .scim_json(
                Method::GET,
                &format!("/Groups?startIndex={start}&count=2"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["totalResults"], 5);
        let resources = page["Resources"].as_array().cloned().unwrap_or_default();
        if resources.is_empty() {
            break;
        }
        seen.extend(resources.iter().map(|g| g["displayName"].clone()));
        start += resources.len();
    }
    assert_eq!(seen.len(), 5, "every group exactly once: {seen:?}");
}

on_both_backends!(
    okta_pushes_a_group_and_its_members,
    okta_imports_groups_page_by_page,
);
