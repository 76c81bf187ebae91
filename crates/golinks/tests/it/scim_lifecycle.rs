//! What provisioning does to the rest of golinks: API access, links, the provisioning log.

use golinks::domain::{Secret, TokenKind, UserId};
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_users::user;
use crate::support::{Backend, FetchJson, TestApp, patch_op};

async fn deactivation_locks_a_person_out_and_reactivation_lets_them_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let ada = app.scim_create(&scim, user("ada@acme.example")).await;
    let id: UserId = ada["id"].as_str().expect("id").parse().expect("uuid");
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    let secret = Secret::generate(TokenKind::Api);
    app.state
        .store
        .create_api_token(org.id, id, "laptop", &secret.digest())
        .await
        .expect("token");
    let api = secret.reveal().to_owned();
    let link = app
        .create_link(
            &api,
            json!({"name": "adas-doc", "url": "https://docs.example/ada"}),
        )
        .await;
    let active =
        |value: bool| patch_op(json!([{"op": "replace", "path": "active", "value": value}]));
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &scim,
            Some(active(false)),
        )
        .await;
    assert_eq!(status, 200);
    let locked = app
        .api(Method::GET, "/_/api/v1/links", &api)
        .send()
        .await
        .expect("send");
    assert_eq!(
        locked.status(),
        401,
        "an inactive person's token stops working at once"
    );
    assert_eq!(
        app.follow("/adas-doc").await.as_deref(),
        Ok("https://docs.example/ada"),
        "their links keep working"
    );
    let (_, admin) = app
        .person("admin@acme.example", golinks::domain::Role::Admin)
        .await;
    let shown: Value = app
        .api(
            Method::GET,
            &format!("/_/api/v1/links/{}", link["id"].as_str().expect("id")),
            &admin,
        )
        .fetch_json()
        .await;
    assert_eq!(shown["owner"]["active"], false, "flagged: owner inactive");
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &scim,
            Some(active(true)),
        )
        .await;
    assert_eq!(status, 200);
    let back = app
        .api(Method::GET, "/_/api/v1/links", &api)
        .send()
        .await
        .expect("send");
    assert_eq!(back.status(), 200, "everything as it was");
    let deleted = app
        .scim(Method::DELETE, &format!("/Users/{id}"), &scim)
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    let gone = app
        .api(Method::GET, "/_/api/v1/links", &api)
        .send()
        .await
        .expect("send");
    assert_eq!(gone.status(), 401);
    let shown: Value = app
        .api(
            Method::GET,
            &format!("/_/api/v1/links/{}", link["id"].as_str().expect("id")),
            &admin,
        )
        .fetch_json()
        .await;
    assert_eq!(
        shown["owner"]["deleted"], true,
        "the link stays, flagged for an admin"
    );
    assert_eq!(
        app.follow("/adas-doc").await.as_deref(),
        Ok("https://docs.example/ada")
    );
}

async fn changes_and_failures_are_in_the_provisioning_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let ada = app.scim_create(&scim, user("ada@acme.example")).await;
    let (status, _) = app
        .scim_json(
            Method::POST,
            "/Users",
            &scim,
            Some(user("ada@acme.example")),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = app.scim_json(Method::GET, "/Users", &scim, None).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .scim_json(Method::GET, "/Users", "gls_wrong", None)
        .await;
    assert_eq!(status, 401);
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    let query = golinks::store::LogQuery {
        limit: 50,
        ..Default::default()
    };
    let log = app
        .state
        .store
        .provisioning_log(org.id, &query)
        .await
        .expect("log");
    let lines: Vec<(String, i32)> = log
        .iter()
        .rev()
        .map(|e| (e.method.clone(), e.status))
        .collect();
    assert_eq!(
        lines,
        [
            ("POST".to_owned(), 201),
            ("POST".to_owned(), 409),
            ("GET".to_owned(), 401)
        ],
        "reads that succeed are not logged"
    );
    let created = &log[2];
    assert_eq!(created.user_name.as_deref(), Some("ada@acme.example"));
    assert_eq!(
        created.user_id.map(|u| u.to_string()),
        ada["id"].as_str().map(str::to_owned)
    );
    assert_eq!(created.token_name.as_deref(), Some("test-idp"));
    let conflict = &log[1];
    assert_eq!(conflict.scim_type.as_deref(), Some("uniqueness"));
    assert!(
        conflict
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("ada@acme.example"))
    );
    let failed = app
        .state
        .store
        .provisioning_log(
            org.id,
            &golinks::store::LogQuery {
                failed_only: true,
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("log");
    assert_eq!(failed.len(), 2);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args([
            "scim-log",
            "--database-url",
            &app.db.url,
            "--org",
            "default",
            "--failed",
            "--since",
            "1h",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("409") && text.contains("uniqueness") && text.contains("401"),
        "{text}"
    );
    let tokens = app
        .state
        .store
        .list_scim_tokens(org.id)
        .await
        .expect("tokens");
    let sneaky = patch_op(json!([{"op": "replace", "path": "displayName", "value": "Quiet"}]));
    let id = ada["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}?x=/.search"),
            &scim,
            Some(sneaky),
        )
        .await;
    assert_eq!(status, 200);
    let after = app
        .state
        .store
        .provisioning_log(org.id, &query)
        .await
        .expect("log");
    assert_eq!(
        after.len(),
        log.len() + 1,
        "a change is logged whatever its query string says"
    );
    assert!(
        tokens[0].last_used_at.is_some(),
        "tokens record their last use"
    );
}

on_both_backends!(
    deactivation_locks_a_person_out_and_reactivation_lets_them_back,
    changes_and_failures_are_in_the_provisioning_log,
);

async fn people_deactivated_in_golinks_show_inactive_to_the_identity_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let (_, api) = app
        .person("local@acme.example", golinks::domain::Role::Member)
        .await;
    let run = |verb: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_golinks"))
            .args([
                "user",
                verb,
                "--database-url",
                &app.db.url,
                "--email",
                "LOCAL@acme.example",
            ])
            .output()
            .expect("run")
    };
    let out = run("deactivate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22local@acme.example%22",
            &scim,
            None,
        )
        .await;
    assert_eq!(found["Resources"][0]["active"], false, "{found}");
    let locked = app
        .api(Method::GET, "/_/api/v1/links", &api)
        .send()
        .await
        .expect("send");
    assert_eq!(locked.status(), 401);
    assert!(run("activate").status.success());
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22local@acme.example%22",
            &scim,
            None,
        )
        .await;
    assert_eq!(found["Resources"][0]["active"], true);
    let back = app
        .api(Method::GET, "/_/api/v1/links", &api)
        .send()
        .await
        .expect("send");
    assert_eq!(back.status(), 200);
}

on_both_backends!(people_deactivated_in_golinks_show_inactive_to_the_identity_provider);
