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

/// Every organization's host names, by slug.
async fn host_names(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let orgs = app.state.store.list_orgs().await.expect("orgs");
    orgs.into_iter().map(|o| (o.slug, o.hosts)).collect()
}

/// An admin of `org` with a session cookie and an API token.
async fn admin_of(app: &TestApp, org: golinks::domain::OrgId, email: &str) -> (String, String) {
    let store = &app.state.store;
    let email = Email::try_from(email).expect("email");
    let admin = store
        .create_user(org, &email, None, Role::Admin)
        .await
        .expect("admin");
    let secret = Secret::generate(TokenKind::Api);
    store
        .create_api_token(org, admin.id, "t", &secret.digest())
        .await
        .expect("token");
    let cookie = app.session_cookie(org, admin.id).await;
    (cookie, secret.reveal().to_owned())
}

/// Host names are the operator's (`golinks org create|set --host`): an organization's admin
/// who could claim `go` would move everyone's links and sign-in to their own identity
/// provider.
async fn an_admin_cannot_change_any_host_name_through_the_web_or_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    let acme = store
        .create_org("acme", "Acme", &["go.acme.example".into()])
        .await
        .expect("org");
    app.state.index.sync(store).await.expect("sync");
    let default = store.find_org_by_slug("default").await.expect("default");
    let (acme_cookie, acme_token) = admin_of(&app, acme, "eve@acme.example").await;
    let (default_cookie, default_token) = admin_of(&app, default.id, "ada@default.example").await;
    let before = host_names(&app).await;

    let post = |host: &'static str, cookie: &str, name: &'static str, hosts: &'static str| {
        app.client
            .post(app.url("/_/admin/org"))
            .header("host", host)
            .header("cookie", cookie.to_owned())
            .header("sec-fetch-site", "same-origin")
            .form(&[("name", name), ("hosts", hosts)])
            .send()
    };
    let attempts = [
        (
            "go.acme.example",
            &acme_cookie,
            "claim go",
            "go.acme.example\ngo",
        ),
        (
            "go.acme.example",
            &acme_cookie,
            "add a host",
            "go.acme.example, evil.example",
        ),
        ("go.acme.example", &acme_cookie, "remove every host", ""),
        ("go", &default_cookie, "claim go for the default org", "go"),
        ("go", &default_cookie, "take acme's host", "go.acme.example"),
    ];
    for (host, cookie, case, hosts) in attempts {
        let response = post(host, cookie, "Renamed", hosts).await.expect("send");
        assert_eq!(response.status(), 422, "case: {case}");
        let html = response.text().await.expect("body");
        assert!(html.contains("golinks org set"), "case: {case}: {html}");
        assert_eq!(host_names(&app).await, before, "case: {case}");
    }
    let names: Vec<String> = store
        .list_orgs()
        .await
        .expect("orgs")
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "Renamed"),
        "a refused form changes nothing: {names:?}"
    );

    // The page shows the host names, read-only; the rest of the form still works.
    let page = app
        .get("/_/admin/org")
        .header("host", "go.acme.example")
        .header("cookie", &acme_cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("go.acme.example"), "{html}");
    assert!(!html.contains("name=\"hosts\""), "no host field: {html}");
    let renamed = app
        .client
        .post(app.url("/_/admin/org"))
        .header("host", "go.acme.example")
        .header("cookie", &acme_cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Acme Inc")])
        .send()
        .await
        .expect("send");
    assert_eq!(renamed.status(), 303);
    let acme_now = store.find_org_by_slug("acme").await.expect("acme");
    assert_eq!(acme_now.name, "Acme Inc");

    // No API route changes host names either.
    let paths = [
        "/_/api/v1/org",
        "/_/api/v1/org/hosts",
        "/_/api/v1/orgs",
        "/_/api/v1/orgs/acme",
        "/_/api/v1/orgs/acme/hosts",
        "/_/api/v1/hosts",
        "/_/api/v1/hosts/go",
    ];
    for token in [&acme_token, &default_token] {
        for path in paths {
            for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
                let response = app
                    .api(method.clone(), path, token)
                    .header("host", "go.acme.example")
                    .json(&json!({"hosts": ["go", "evil.example"], "host": "go"}))
                    .send()
                    .await
                    .expect("send");
                assert!(
                    response.status().is_client_error(),
                    "{method} {path}: {}",
                    response.status()
                );
            }
        }
    }
    let openapi: Value = app.get("/_/api/openapi.json").fetch_json().await;
    let api_paths: Vec<&String> = openapi["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    assert!(
        !api_paths
            .iter()
            .any(|p| p.contains("org") || p.contains("host")),
        "{api_paths:?}"
    );
    assert_eq!(host_names(&app).await, before, "hosts unchanged");
}

on_both_backends!(
    organizations_are_reached_by_host_and_never_share_links,
    a_host_name_belongs_to_one_organization,
    an_admin_cannot_change_any_host_name_through_the_web_or_the_api,
);
