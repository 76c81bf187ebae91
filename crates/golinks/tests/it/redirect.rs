use golinks::domain::Role;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, FetchJson, TestApp, location};

async fn seeded(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    for (name, url, aliases) in [
        ("Docs", "https://wiki.example/docs", vec!["wiki"]),
        ("search", "https://search.example/s?lang=en#top", vec![]),
        ("jira", "https://jira.example/browse/{1}", vec![]),
        ("All-Hands", "https://meet.example/all-hands", vec![]),
        ("mail", "mailto:team@acme.example", vec![]),
    ] {
        app.create_link(
            &token,
            json!({"name": name, "url": url, "aliases": aliases}),
        )
        .await;
    }
    (app, token)
}

async fn links_resolve_with_path_query_variables_and_punctuation(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let cases = [
        ("exact name", "/Docs", "https://wiki.example/docs"),
        ("other case", "/docs", "https://wiki.example/docs"),
        ("alias", "/WIKI", "https://wiki.example/docs"),
        (
            "dashes ignored",
            "/allhands",
            "https://meet.example/all-hands",
        ),
        (
            "underscores ignored",
            "/all_hands",
            "https://meet.example/all-hands",
        ),
        (
            "extra path",
            "/docs/setup/linux",
            "https://wiki.example/docs/setup/linux",
        ),
        (
            "query merged after the destination's",
            "/search?q=rust",
            "https://search.example/s?lang=en&q=rust#top",
        ),
        (
            "variable filled",
            "/jira/ABC-42",
            "https://jira.example/browse/ABC-42",
        ),
        ("variable missing", "/jira", "https://jira.example/browse/"),
        ("trailing period", "/docs.", "https://wiki.example/docs"),
        (
            "trailing parenthesis",
            "/docs)",
            "https://wiki.example/docs",
        ),
        (
            "percent-encoding kept",
            "/docs/a%20b?x=%C3%A9",
            "https://wiki.example/docs/a%20b?x=%C3%A9",
        ),
        (
            "mailto keeps the query only",
            "/mail/x?subject=hi",
            "mailto:team@acme.example?subject=hi",
        ),
    ];
    for (case, path, expected) in cases {
        assert_eq!(
            app.follow(path).await.as_deref(),
            Ok(expected),
            "case: {case}"
        );
    }
}

async fn a_missing_link_shows_a_page_offering_to_create_it_and_the_nearest_names(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let response = app.browse("/dcos").await.send().await.expect("send");
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html")
    );
    let page = response.text().await.expect("body");
    assert!(
        page.contains("go/dcos doesn&#39;t exist yet")
            || page.contains("go/dcos doesn't exist yet"),
        "{page}"
    );
    assert!(page.contains("href=\"/Docs\""), "suggests Docs: {page}");
    let page = app
        .browse("/-bad-")
        .await
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains("can&#39;t be a link name") || page.contains("can't be a link name"),
        "{page}"
    );
}

/// The suggestions come from an index built with the redirect index: it must follow every
/// change to the names, and find a word of a name as well as a typo.
async fn suggestions_follow_the_names_as_they_change(backend: Backend) {
    let (app, token) = seeded(backend).await;
    let suggested = |page: &str, name: &str| page.contains(&format!("href=\"/{name}\""));
    let missing_page = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.browse(path).await.send().await.expect("send");
            assert_eq!(response.status(), 404, "{path}");
            response.text().await.expect("body")
        }
    };
    let page = missing_page("/quarterlyplna").await;
    assert!(!suggested(&page, "Quarterly-Plan"), "not there yet: {page}");
    let created = app
        .create_link(
            &token,
            json!({"name": "Quarterly-Plan", "url": "https://plans.example/q"}),
        )
        .await;
    assert!(suggested(
        &missing_page("/quarterlyplna").await,
        "Quarterly-Plan"
    ));
    assert!(
        suggested(&missing_page("/plan").await, "Quarterly-Plan"),
        "a word of the name is a prefix"
    );
    assert!(
        suggested(&missing_page("/hands").await, "All-Hands"),
        "a word of the name is a prefix"
    );
    let id = created["id"].as_str().expect("id");
    let deleted = app
        .api(Method::DELETE, &format!("/_/api/v1/links/{id}"), &token)
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    let page = missing_page("/quarterlyplna").await;
    assert!(
        !suggested(&page, "Quarterly-Plan"),
        "gone with the link: {page}"
    );
}

async fn a_junk_path_gets_a_missing_page_without_suggestions(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let junk = format!("/{}!", "d".repeat(20_000));
    let response = app.browse(&junk).await.send().await.expect("send");
    assert_eq!(response.status(), 404);
    let page = response.text().await.expect("body");
    assert!(
        !page.contains("Did you mean"),
        "no suggestions for what can't be a name"
    );
}

async fn reserved_paths_are_never_links(backend: Backend) {
    let (app, _) = seeded(backend).await;
    for path in ["/_/nothing", "/scim", "/saml/x", "/metrics/x"] {
        let response = app.get(path).send().await.expect("send");
        assert_eq!(response.status(), 404, "{path}");
        let page = response.text().await.expect("body");
        assert!(
            !page.contains("doesn"),
            "{path} must not offer a link: {page}"
        );
    }
}

/// `go/<name>` takes a short cut past the router (`http::front`): a stranger must not reach
/// through it anything the router would have answered otherwise, whatever the case, method
/// or spelling of the one path segment.
async fn the_short_cut_for_a_name_gives_nothing_the_router_would_not(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let cookie = app.member_cookie().await;
    let paths = [
        "/HEALTHZ",
        "/Scim",
        "/SAML",
        "/My",
        "/_",
        "/Metrics",
        "/robots.txt",
        "/FAVICON.ICO",
        "/%5F",
    ];
    for path in paths {
        let response = app.browse(path).await.send().await.expect("send");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(location(&response), None, "{path}");
    }
    // What those segments name in their own spelling still answers through the router.
    for path in ["/healthz", "/favicon.ico"] {
        let response = app.get(path).send().await.expect("send");
        assert_eq!(response.status(), 200, "{path}");
    }
    // Only a GET takes the short cut; the router answers other methods as before.
    let post = app.client.post(app.url("/docs")).header("cookie", &cookie);
    assert_eq!(post.send().await.expect("send").status(), 405);
    let head = app.client.head(app.url("/docs")).header("cookie", &cookie);
    let head = head.send().await.expect("send");
    assert_eq!(
        location(&head).as_deref(),
        Some("https://wiki.example/docs")
    );
}

async fn a_hit_reads_no_database(backend: Backend) {
    let (app, _) = seeded(backend).await;
    assert!(app.follow("/docs").await.is_ok());
    app.state.store.close().await;
    assert_eq!(
        app.follow("/wiki/x").await.as_deref(),
        Ok("https://wiki.example/docs/x"),
        "served from memory"
    );
    let ready = app.get("/readyz").send().await.expect("send");
    assert_eq!(ready.status(), 503, "the database really is gone");
}

async fn clicks_are_counted_in_memory_and_flushed_to_daily_buckets(backend: Backend) {
    let (app, token) = seeded(backend).await;
    for path in ["/docs", "/wiki", "/DOCS/x", "/jira/1"] {
        assert!(app.follow(path).await.is_ok(), "{path}");
    }
    let before: serde_json::Value = app
        .api(Method::GET, "/_/api/v1/links/docs", &token)
        .fetch_json()
        .await;
    assert_eq!(before["clicks"], 0, "not yet flushed");
    app.state
        .clicks
        .flush(&app.state.store)
        .await
        .expect("flush");
    let after: serde_json::Value = app
        .api(Method::GET, "/_/api/v1/links/docs", &token)
        .fetch_json()
        .await;
    assert_eq!(after["clicks"], 3);
    assert!(after["last_clicked_at"].is_string());
    let usage: serde_json::Value = app
        .api(Method::GET, "/_/api/v1/links/docs/usage", &token)
        .fetch_json()
        .await;
    assert_eq!(usage.as_array().map(Vec::len), Some(1));
    assert_eq!(usage[0]["clicks"], 3);
}

async fn graceful_shutdown_flushes_the_last_clicks(backend: Backend) {
    let (app, token) = seeded(backend).await;
    for _ in 0..5 {
        assert!(app.follow("/docs").await.is_ok());
    }
    let db = app.shut_down().await;
    let app = TestApp::spawn_on(db).await;
    let link: serde_json::Value = app
        .api(Method::GET, "/_/api/v1/links/docs", &token)
        .fetch_json()
        .await;
    assert_eq!(link["clicks"], 5, "{link}");
}

async fn private_links_resolve_at_my_for_their_owner_only(backend: Backend) {
    let (app, ada) = seeded(backend).await;
    let (_, bob) = app.person("bob@acme.example", Role::Admin).await;
    app.create_link(
        &ada,
        json!({"name": "notes", "url": "https://notes.example/ada", "visibility": "private"}),
    )
    .await;
    app.create_link(
        &bob,
        json!({"name": "notes", "url": "https://notes.example/bob", "visibility": "private"}),
    )
    .await;
    let follow = |token: &str| app.api(Method::GET, "/my/notes/today", token).send();
    let ada_sees = follow(&ada).await.expect("send");
    assert_eq!(
        crate::support::location(&ada_sees).as_deref(),
        Some("https://notes.example/ada/today")
    );
    let bob_sees = follow(&bob).await.expect("send");
    assert_eq!(
        crate::support::location(&bob_sees).as_deref(),
        Some("https://notes.example/bob/today")
    );
    assert_eq!(
        app.follow("/notes").await,
        Err(404),
        "a private link is not a shared name"
    );
    assert_eq!(
        crate::support::location(&app.get("/my/notes").send().await.expect("send")).as_deref(),
        Some("/saml/login?next=%2Fmy%2Fnotes"),
        "a browser without a session signs in first"
    );
    assert_eq!(
        app.api(Method::GET, "/my/notes", "gla_wrong")
            .send()
            .await
            .expect("send")
            .status(),
        401,
        "a bad API token is told so"
    );
    assert_eq!(
        app.follow("/my/notes").await,
        Err(404),
        "nor for another member"
    );
}

on_both_backends!(
    links_resolve_with_path_query_variables_and_punctuation,
    a_missing_link_shows_a_page_offering_to_create_it_and_the_nearest_names,
    reserved_paths_are_never_links,
    the_short_cut_for_a_name_gives_nothing_the_router_would_not,
    a_junk_path_gets_a_missing_page_without_suggestions,
    suggestions_follow_the_names_as_they_change,
    a_hit_reads_no_database,
    clicks_are_counted_in_memory_and_flushed_to_daily_buckets,
    graceful_shutdown_flushes_the_last_clicks,
    private_links_resolve_at_my_for_their_owner_only,
);
