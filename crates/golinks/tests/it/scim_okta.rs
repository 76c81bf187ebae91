//! Okta's provisioning traffic, replayed: the bodies and query shapes Okta's SCIM 2.0 client
//! sends (Okta's SCIM 2.0 reference: create, profile push as PUT, deactivation as a path-less
//! PATCH, "Import Now" paging).

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, patch_op};

fn okta_user(login: &str, department: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": login,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": true, "value": login, "type": "work"}],
        "displayName": "Ada Lovelace",
        "locale": "en-US",
        "externalId": "00u1abcdEFGH",
        "groups": [],
        "password": "1mz050nq",
        "active": true,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": department}
    })
}

fn filter_user_name(login: &str) -> String {
    format!(
        "/Users?filter=userName%20eq%20%22{}%22&startIndex=1&count=100",
        login.replace('@', "%40")
    )
}

async fn okta_creates_updates_deactivates_and_reactivates_a_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    // Okta looks the person up before creating them.
    let (status, found) = app
        .scim_json(
            Method::GET,
            &filter_user_name("ada@acme.example"),
            &token,
            None,
        )
        .await;
    assert_eq!((status, found["totalResults"].clone()), (200, json!(0)));
    let (status, created) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(okta_user("ada@acme.example", "R&D")),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert!(
        created.get("password").is_none(),
        "passwords are never returned"
    );
    assert_eq!(
        created["groups"],
        Value::Null,
        "groups are read-only and not stored from the client"
    );
    assert_eq!(
        created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    let id = created["id"].as_str().expect("id").to_owned();

    // Profile push: Okta sends the whole person with PUT.
    let mut pushed = okta_user("ada@acme.example", "Engineering");
    pushed["id"] = json!(id);
    pushed["name"]["familyName"] = json!("Byron");
    let (status, updated) = app
        .scim_json(Method::PUT, &format!("/Users/{id}"), &token, Some(pushed))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Engineering"
    );
    assert_eq!(updated["name"]["familyName"], "Byron");

    let active = |value: bool| patch_op(json!([{"op": "replace", "value": {"active": value}}]));
    let (status, off) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            Some(active(false)),
        )
        .await;
    assert_eq!(
        (status, off["active"].clone()),
        (200, json!(false)),
        "{off}"
    );
    let (_, still) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(still["active"], false, "kept, not deleted");
    assert_eq!(still["name"]["familyName"], "Byron", "nothing else changed");
    let (status, on) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            Some(active(true)),
        )
        .await;
    assert_eq!((status, on["active"].clone()), (200, json!(true)));
    let (_, found) = app
        .scim_json(
            Method::GET,
            &filter_user_name("ADA@acme.example"),
            &token,
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1, "userName filters ignore case");
}

async fn okta_import_pages_through_everyone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    for i in 0..205 {
        let (status, _) = app
            .scim_json(
                Method::POST,
                "/Users",
                &token,
                Some(okta_user(&format!("p{i:03}@acme.example"), "x")),
            )
            .await;
        assert_eq!(status, 201);
    }
    // People made in golinks itself are part of the import, deactivated ones too.
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    let local = golinks::domain::Email::try_from("local@acme.example").expect("email");
    app.state
        .store
        .create_user(
            org.id,
            &local,
            Some("Local Person"),
            golinks::domain::Role::Member,
        )
        .await
        .expect("user");
    let mut seen = std::collections::HashSet::new();
    for start in [1, 101, 201] {
        let (status, page) = app
            .scim_json(
                Method::GET,
                &format!("/Users?startIndex={start}&count=100"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["totalResults"], 206);
        assert_eq!(page["startIndex"], start);
        let resources = page["Resources"].as_array().expect("Resources");
        assert_eq!(page["itemsPerPage"], json!(resources.len()));
        for r in resources {
            assert!(
                seen.insert(r["id"].as_str().expect("id").to_owned()),
                "no one twice"
            );
        }
    }
    assert_eq!(seen.len(), 206, "everyone, once");
    let (_, local) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22local@acme.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(
        local["Resources"][0]["emails"][0]["value"],
        "local@acme.example"
    );
    assert_eq!(local["Resources"][0]["displayName"], "Local Person");
}

async fn a_throttled_burst_ends_with_everyone_provisioned(backend: Backend) {
    let db = crate::support::TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.scim_rate_per_sec = std::num::NonZeroU32::new(20).expect("nonzero");
        c.scim_burst = std::num::NonZeroU32::new(10).expect("nonzero");
    })
    .await;
    let token = app.scim_token().await;
    let (mut throttled, mut created) = (0, 0);
    for i in 0..40 {
        // Like an identity provider: on 429, wait Retry-After and send the same request again.
        for attempt in 0..20 {
            let response = app
                .scim(Method::POST, "/Users", &token)
                .header("content-type", "application/scim+json")
                .body(okta_user(&format!("burst{i}@acme.example"), "x").to_string())
                .send()
                .await
                .expect("send");
            if response.status() == 429 {
                throttled += 1;
                let wait: u64 = response.headers()["retry-after"]
                    .to_str()
                    .expect("header")
                    .parse()
                    .expect("seconds");
                assert!((1..=2).contains(&wait), "Retry-After {wait}");
                let body: Value = response.json().await.expect("json");
                assert_eq!(body["status"], "429");
                tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
                continue;
            }
            assert_eq!(response.status(), 201);
            created += 1;
            break;
        }
    }
    assert_eq!(created, 40, "nothing lost");
    assert!(throttled > 0, "the burst was throttled");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let (status, list) = app
        .scim_json(Method::GET, "/Users?count=1", &token, None)
        .await;
    assert_eq!((status, list["totalResults"].clone()), (200, json!(40)));
}

on_both_backends!(
    okta_creates_updates_deactivates_and_reactivates_a_person,
    okta_import_pages_through_everyone,
    a_throttled_burst_ends_with_everyone_provisioned,
);
