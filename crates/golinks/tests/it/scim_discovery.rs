//! Discovery (RFC 7644 §4) says exactly what is supported.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

async fn discovery_describes_users_with_the_enterprise_extension(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let (status, spc) = app
        .scim_json(Method::GET, "/ServiceProviderConfig", &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        spc["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    for (feature, supported) in [
        ("patch", true),
        ("bulk", false),
        ("filter", true),
        ("changePassword", false),
        ("sort", true),
        ("etag", true),
    ] {
        assert_eq!(spc[feature]["supported"], supported, "{feature}");
    }
    assert_eq!(spc["filter"]["maxResults"], 1000);
    assert_eq!(spc["pagination"]["cursor"], true, "RFC 9865 cursor paging");
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");

    let (_, types) = app
        .scim_json(Method::GET, "/ResourceTypes", &token, None)
        .await;
    assert_eq!(types["totalResults"], 2);
    let user = &types["Resources"][0];
    assert_eq!(user["endpoint"], "/Users");
    assert_eq!(
        user["schemaExtensions"][0]["schema"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    let (status, one) = app
        .scim_json(Method::GET, "/ResourceTypes/User", &token, None)
        .await;
    assert_eq!((status, &one["id"]), (200, &json!("User")));
    let (status, group) = app
        .scim_json(Method::GET, "/ResourceTypes/Group", &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(group["endpoint"], "/Groups");
    assert_eq!(
        group["schema"],
        "urn:ietf:params:scim:schemas:core:2.0:Group"
    );
    let (status, _) = app
        .scim_json(Method::GET, "/ResourceTypes/Role", &token, None)
        .await;
    assert_eq!(status, 404, "only what is supported");

    let (_, schemas) = app.scim_json(Method::GET, "/Schemas", &token, None).await;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:Group"
        ]
    );
    let (status, core) = app
        .scim_json(
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let user_name: &Value = core["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .find(|a| a["name"] == "userName")
        .expect("userName");
    assert_eq!(user_name["caseExact"], false);
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["required"], true);
    assert!(
        core["meta"]["location"]
            .as_str()
            .is_some_and(|l| l.ends_with("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"))
    );
}

on_both_backends!(discovery_describes_users_with_the_enterprise_extension);
