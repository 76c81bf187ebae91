//! Several servers on one database (replicas behind a load balancer) stay consistent.

use std::time::{Duration, Instant};

use golinks::domain::Role;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

/// Waits (bounded) until `path` on `app` redirects to `expected` (`None`: until it misses).
async fn eventually(app: &TestApp, path: &str, expected: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = app.follow(path).await.ok();
        if got.as_deref() == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{path} on the replica: {got:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_change_made_on_one_replica_is_seen_on_the_other_within_seconds(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let second = first.replica().await;
    let (_, token) = first.person("ada@acme.example", Role::Member).await;
    let link = first
        .create_link(
            &token,
            json!({"name": "docs", "url": "https://one.example/"}),
        )
        .await;
    eventually(&second, "/docs", Some("https://one.example/")).await;
    let path = format!("/_/api/v1/links/{}", link["id"].as_str().expect("id"));
    let changed = second
        .api(Method::PATCH, &path, &token)
        .json(&json!({"url": "https://two.example/"}))
        .send()
        .await
        .expect("send");
    assert_eq!(changed.status(), 200);
    eventually(&first, "/docs", Some("https://two.example/")).await;
    let deleted = first
        .api(Method::DELETE, &path, &token)
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    eventually(&second, "/docs", None).await;
}

async fn an_organization_setting_changed_elsewhere_survives_a_local_write(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ann@acme.example", Role::Member).await;
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    // Another process (the CLI) turns anonymous resolution on; before this server's next
    // sync, it writes a link itself.
    app.state
        .store
        .set_anonymous_resolution(org.id, true)
        .await
        .expect("setting");
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://docs.example/"}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let response = app.get("/docs").send().await.expect("send");
        let location = crate::support::location(&response);
        if location.as_deref() == Some("https://docs.example/") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the setting was lost: /docs still answers {location:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    an_organization_setting_changed_elsewhere_survives_a_local_write,
    a_change_made_on_one_replica_is_seen_on_the_other_within_seconds
);
