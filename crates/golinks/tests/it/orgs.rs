//! Organizations never see each other's rows.

use golinks::domain::{Email, Role, Secret, TokenKind};
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, FetchJson, TestApp};

async fn organizations_are_reached_by_host_and_never_share_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    let acme = store
        .create_org("acme", "Acme", &["go.acme.example".into()])
        .await
        .expect("org");
    // The running server learns of the new organization through the change watcher.
    app.state.index.sync(store).await.expect("sync");
    let email = Email::try_from("eve@acme.example").expect("email");
    let eve = store
        .create_user(acme, &email, None, Role::Admin)
        .await
        .expect("user");
    let secret = Secret::generate(TokenKind::Api);
    store
        .create_api_token(acme, eve.id, "t", &secret.digest())
        .await
        .expect("token");
    let acme_token = secret.reveal().to_owned();
    let (_, default_token) = app.person("ada@default.example", Role::Admin).await;

    let theirs: Value = app
        .create_link(
            &acme_token,
            json!({"name": "docs", "url": "https://acme.example/docs"}),
        )
        .await;
    let ours: Value = app
        .create_link(
            &default_token,
            json!({"name": "docs", "url": "https://default.example/docs"}),
        )
        .await;
    // Host routing is what this test is about: both organizations skip sign-in.
    for org in app.state.store.list_orgs().await.expect("orgs") {
        app.state
            .store
            .set_anonymous_resolution(org.id, true)
            .await
            .expect("setting");
    }
    app.state.index.sync(&app.state.store).await.expect("sync");
    let follow = |host: &'static str| {
        let request = app.get("/docs").header("host", host);
        async move { crate::support::location(&request.send().await.expect("send")) }
    };
    assert_eq!(
        follow("go.acme.example").await.as_deref(),
        Some("https://acme.example/docs")
    );
    assert_eq!(
        follow("GO.ACME.EXAMPLE:8080").await.as_deref(),
        Some("https://acme.example/docs"),
        "host case and port ignored"
    );
    assert_eq!(
        follow("go").await.as_deref(),
        Some("https://default.example/docs"),
        "unclaimed hosts are the default org's"
    );

    let their_id = theirs["id"].as_str().expect("id");
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let mut request = app.api(
            method.clone(),
            &format!("/_/api/v1/links/{their_id}"),
            &default_token,
        );
        if method == Method::PATCH {
            request = request.json(&json!({"url": "https://evil.example/"}));
        }
        assert_eq!(
            request.send().await.expect("send").status(),
            404,
            "{method} on another org's link id"
        );
    }
    let list: Value = app
        .api(Method::GET, "/_/api/v1/links", &acme_token)
        .fetch_json()
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["links"][0]["id"], theirs["id"]);
    assert_ne!(ours["id"], theirs["id"]);
    assert_eq!(
        follow("go.acme.example").await.as_deref(),
        Some("https://acme.example/docs"),
        "unchanged"
    );
}

async fn a_host_name_belongs_to_one_organization(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    store
        .create_org("acme", "Acme", &["go.acme.example".into()])
        .await
        .expect("org");
    let clash = store
        .create_org("evil", "Evil", &["GO.acme.example".into()])
        .await;
    assert!(
        matches!(clash, Err(golinks::store::StoreError::Conflict { .. })),
        "{clash:?}"
    );
    let orgs = store.list_orgs().await.expect("orgs");
    assert!(
        !orgs.iter().any(|o| o.slug == "evil"),
        "nothing half-created"
    );
}

on_both_backends!(
    organizations_are_reached_by_host_and_never_share_links,
    a_host_name_belongs_to_one_organization,
);
