//! Microsoft Entra ID's group provisioning, replayed (Microsoft Learn, "Tutorial: Develop and
//! plan provisioning for a SCIM endpoint", Groups: "Create Group", "Get Group by
//! displayName", "Update Group [Add Members]", "Update Group [Remove Members]"), on both
//! backends.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::scim_groups::{GROUP_URN, member_ids, person, sorted};
use crate::support::{Backend, TestApp, patch_op};

async fn entra_creates_then_patches_a_group(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let (status, found) = app
        .scim_json(
            Method::GET,
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22Group1DisplayName%22",
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
            Some(json!({"schemas": [GROUP_URN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                        "displayName": "Group1DisplayName",
                        "meta": {"resourceType": "Group"}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22Group1DisplayName%22",
            &token,
            None,
        )
        .await;
    assert_eq!(found["Resources"][0]["id"], json!(id));
    assert!(found["Resources"][0].get("members").is_none());

    let (status, body) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{id}"),
            &token,
            Some(patch_op(json!([{"op": "Add", "path": "members",
                "value": [{"$ref": null, "value": ada}, {"$ref": null, "value": bob}]}]))),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&ada, &bob]));
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{id}"),
            &token,
            Some(patch_op(json!([{"op": "Remove", "path": "members",
                "value": [{"$ref": null, "value": ada}]}]))),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&bob]));
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{id}"),
            &token,
            Some(patch_op(
                json!([{"op": "Replace", "path": "displayName", "value": "Renamed"},
                                 {"op": "Replace", "path": "externalId", "value": "x-2"}]),
            )),
        )
        .await;
    assert_eq!(status, 204);
    let (_, read) = app
        .scim_json(Method::GET, &format!("/Groups/{id}"), &token, None)
        .await;
    assert_eq!(
        (&read["displayName"], &read["externalId"]),
        (&json!("Renamed"), &json!("x-2"))
    );
}

async fn entra_is_refused_unknown_and_group_members_with_nothing_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let eng = crate::scim_groups::group(&app, &token, "Engineering", &[&ada]).await;
    let other = crate::scim_groups::group(&app, &token, "Other", &[]).await;
    let id = eng["id"].as_str().expect("id");
    for member in [
        json!("0a6b3c1e-0000-4000-8000-000000000000"),
        other["id"].clone(),
    ] {
        let (status, error) = app
            .scim_json(
                Method::PATCH,
                &format!("/Groups/{id}"),
                &token,
                Some(patch_op(json!([
                    {"op": "Remove", "path": "members", "value": [{"value": ada}]},
                    {"op": "Add", "path": "members", "value": [{"$ref": null, "value": member}]},
                ]))),
            )
            .await;
        assert_eq!(
            (status, &error["scimType"]),
            (400, &json!("invalidValue")),
            "{error}"
        );
        assert!(
            error["detail"]
                .as_str()
                .is_some_and(|d| d.contains(member.as_str().expect("id")))
        );
        assert_eq!(
            member_ids(&app, &token, id).await,
            sorted(&[&ada]),
            "nothing changed"
        );
    }
}

on_both_backends!(
    entra_creates_then_patches_a_group,
    entra_is_refused_unknown_and_group_members_with_nothing_changed,
);
