use golinks::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, FetchJson, TestApp};

const LINKS: &str = "/_/api/v1/links";

async fn count_links(app: &TestApp, token: &str) -> i64 {
    let list: Value = app.api(Method::GET, LINKS, token).fetch_json().await;
    list["total"].as_i64().expect("total")
}

async fn a_link_is_created_read_changed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, token) = app.person("ada@acme.example", Role::Member).await;
    let response = app
        .api(Method::POST, LINKS, &token)
        .json(&json!({"name": "Team-Docs", "url": "https://wiki.example/team", "description": "Team space",
                      "tags": ["Eng", "docs"], "aliases": ["td"]}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    assert_eq!(
        location,
        format!("{LINKS}/{}", created["id"].as_str().expect("id"))
    );
    assert_eq!(created["owner"]["id"], json!(ada.id.to_string()));
    assert_eq!(created["tags"], json!(["docs", "eng"]));
    assert_eq!(created["visibility"], "company");

    let by_name: Value = app
        .api(Method::GET, &format!("{LINKS}/team_docs"), &token)
        .fetch_json()
        .await;
    assert_eq!(
        by_name["id"], created["id"],
        "found by another spelling of the name"
    );

    let changed = app
        .api(Method::PATCH, &location, &token)
        .json(&json!({"url": "https://wiki.example/team/v2", "aliases": ["td", "tdocs"]}))
        .send()
        .await
        .expect("send");
    let status = changed.status();
    let changed: Value = changed.json().await.expect("json");
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["description"], "Team space",
        "untouched fields kept"
    );
    assert_eq!(
        app.follow("/tdocs/x").await.as_deref(),
        Ok("https://wiki.example/team/v2/x"),
        "index updated at once"
    );

    let history: Value = app
        .api(Method::GET, &format!("{location}/history"), &token)
        .fetch_json()
        .await;
    let actions: Vec<&str> = history
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|h| h["action"].as_str())
        .collect();
    assert_eq!(actions, ["created", "updated"]);
    assert_eq!(history[1]["before"]["url"], "https://wiki.example/team");
    assert_eq!(history[1]["after"]["url"], "https://wiki.example/team/v2");
    assert_eq!(history[1]["actor"], json!(ada.id.to_string()));

    let deleted = app
        .api(Method::DELETE, &location, &token)
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.api(Method::GET, &location, &token)
            .send()
            .await
            .expect("send")
            .status(),
        404
    );
    assert_eq!(
        app.follow("/team-docs").await,
        Err(404),
        "gone from the index"
    );
}

async fn invalid_input_is_refused_with_a_problem_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("bad name and url", app.api(Method::POST, LINKS, &token).json(&json!({"name": "no spaces", "url": "javascript:alert(1)"})), 422),
        ("reserved name", app.api(Method::POST, LINKS, &token).json(&json!({"name": "healthz", "url": "https://a.example/"})), 422),
        ("missing fields", app.api(Method::POST, LINKS, &token).json(&json!({})), 422),
        ("unknown field", app.api(Method::POST, LINKS, &token).json(&json!({"name": "a", "url": "https://a.example/", "colour": 1})), 422),
        ("wrong type", app.api(Method::POST, LINKS, &token).json(&json!({"name": 5, "url": "https://a.example/"})), 422),
        ("broken JSON", app.api(Method::POST, LINKS, &token).header("content-type", "application/json").body("{\"name\":"), 400),
        ("not JSON", app.api(Method::POST, LINKS, &token).header("content-type", "text/plain").body("name=x"), 415),
        ("oversize body", app.api(Method::POST, LINKS, &token).json(&json!({"name": "big", "url": "https://a.example/", "description": "x".repeat(100_000)})), 413),
        ("too many aliases", app.api(Method::POST, LINKS, &token).json(&json!({"name": "a", "url": "https://a.example/", "aliases": (0..11).map(|i| format!("a{i}")).collect::<Vec<_>>()})), 422),
        ("loops back to this server", app.api(Method::POST, LINKS, &token).json(&json!({"name": "loop", "url": format!("http://{}/loop", app.addr)})), 422),
        ("private without owner is impossible via API; bad visibility", app.api(Method::POST, LINKS, &token).json(&json!({"name": "v", "url": "https://a.example/", "visibility": "secret"})), 422),
        ("bad paging", app.api(Method::GET, &format!("{LINKS}?limit=0"), &token), 400),
        ("unknown query parameter", app.api(Method::GET, &format!("{LINKS}?colour=1"), &token), 400),
    ];
    for (case, request, status) in cases {
        let response = request.send().await.expect("send");
        assert_eq!(response.status().as_u16(), status, "case: {case}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "case: {case}"
        );
        let problem: Value = response.json().await.expect("problem json");
        assert_eq!(problem["status"], status, "case: {case}");
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "case: {case}: {problem}"
        );
    }
    assert_eq!(count_links(&app, &token).await, 0, "nothing was created");
}

async fn field_errors_name_each_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    let problem: Value = app
        .api(Method::POST, LINKS, &token)
        .json(&json!({"name": "-x", "url": "ftp://x.example/", "tags": ["bad tag"]}))
        .fetch_json()
        .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "url", "tags"]);
}

async fn names_and_aliases_are_unique_in_every_spelling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    let first = app
        .create_link(
            &token,
            json!({"name": "docs", "url": "https://a.example/", "aliases": ["wiki"]}),
        )
        .await;
    for (case, body) in [
        (
            "same name other spelling",
            json!({"name": "D-O-C-S", "url": "https://b.example/"}),
        ),
        (
            "name equal to an alias",
            json!({"name": "Wiki", "url": "https://b.example/"}),
        ),
        (
            "alias equal to a name",
            json!({"name": "other", "url": "https://b.example/", "aliases": ["docs"]}),
        ),
    ] {
        let response = app
            .api(Method::POST, LINKS, &token)
            .json(&body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 409, "case: {case}");
        let problem: Value = response.json().await.expect("json");
        assert!(
            problem["detail"].as_str().unwrap_or("").contains("taken"),
            "case: {case}: {problem}"
        );
    }
    let second = app
        .create_link(
            &token,
            json!({"name": "other", "url": "https://b.example/"}),
        )
        .await;
    let clash = app
        .api(
            Method::PATCH,
            &format!("{LINKS}/{}", second["id"].as_str().expect("id")),
            &token,
        )
        .json(&json!({"aliases": ["wiki"]}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        clash.status(),
        409,
        "an update cannot take another link's alias"
    );
    let renamed = app
        .api(
            Method::PATCH,
            &format!("{LINKS}/{}", first["id"].as_str().expect("id")),
            &token,
        )
        .json(&json!({"name": "Docs"}))
        .send()
        .await
        .expect("send");
    assert_eq!(renamed.status(), 200, "a link may respell its own name");
    assert_eq!(count_links(&app, &token).await, 2);
    assert_eq!(
        app.follow("/wiki").await.as_deref(),
        Ok("https://a.example/")
    );
}

async fn only_owners_moderators_and_admins_change_a_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, owner) = app.person("owner@acme.example", Role::Member).await;
    let (_, member) = app.person("member@acme.example", Role::Member).await;
    let (_, moderator) = app.person("mod@acme.example", Role::Moderator).await;
    let link = app
        .create_link(&owner, json!({"name": "docs", "url": "https://a.example/"}))
        .await;
    let path = format!("{LINKS}/{}", link["id"].as_str().expect("id"));
    let patch = |token: &str, body: Value| app.api(Method::PATCH, &path, token).json(&body).send();
    let denied = patch(&member, json!({"url": "https://evil.example/"}))
        .await
        .expect("send");
    assert_eq!(denied.status(), 403);
    assert_eq!(
        app.api(Method::DELETE, &path, &member)
            .send()
            .await
            .expect("send")
            .status(),
        403
    );
    assert_eq!(
        app.follow("/docs").await.as_deref(),
        Ok("https://a.example/"),
        "unchanged"
    );
    let transfer = patch(&owner, json!({"owner": "member@acme.example"}))
        .await
        .expect("send");
    assert_eq!(transfer.status(), 403, "members cannot give links away");
    let transfer = patch(&moderator, json!({"owner": "member@acme.example"}))
        .await
        .expect("send");
    assert_eq!(transfer.status(), 200);
    let moved: Value = transfer.json().await.expect("json");
    assert_eq!(moved["owner"]["email"], "member@acme.example");
    let unknown = patch(&moderator, json!({"owner": "nobody@acme.example"}))
        .await
        .expect("send");
    let planted = app
        .api(Method::POST, LINKS, &member)
        .json(&json!({"name": "payroll", "url": "https://evil.example/", "visibility": "private", "owner": "owner@acme.example"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        planted.status(),
        403,
        "a member cannot make a link someone else's"
    );
    assert_eq!(unknown.status(), 422);
}

async fn search_finds_names_tags_descriptions_and_destinations_the_viewer_may_see(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (_, ada) = app.person("ada@acme.example", Role::Member).await;
    let (_, bob) = app.person("bob@acme.example", Role::Member).await;
    app.create_link(
        &ada,
        json!({"name": "All-Hands", "url": "https://meet.example/ah", "tags": ["meetings"]}),
    )
    .await;
    app.create_link(&ada, json!({"name": "payroll", "url": "https://hr.example/pay", "description": "Monthly 100% pay_slips"})).await;
    app.create_link(
        &ada,
        json!({"name": "secret-plan", "url": "https://plans.example/", "visibility": "unlisted"}),
    )
    .await;
    app.create_link(
        &ada,
        json!({"name": "diary", "url": "https://plans.example/diary", "visibility": "private"}),
    )
    .await;
    let search = |token: String, q: &'static str| {
        let app = &app;
        async move {
            let list: Value = app
                .api(Method::GET, &format!("{LINKS}?q={q}"), &token)
                .fetch_json()
                .await;
            list["links"]
                .as_array()
                .expect("links")
                .iter()
                .filter_map(|l| l["name"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search(bob.clone(), "allhands").await,
        ["All-Hands"],
        "by name key"
    );
    assert_eq!(
        search(bob.clone(), "MEETINGS").await,
        ["All-Hands"],
        "by tag"
    );
    assert_eq!(
        search(bob.clone(), "hr.example").await,
        ["payroll"],
        "by destination"
    );
    assert_eq!(
        search(bob.clone(), "100%25").await,
        ["payroll"],
        "LIKE wildcards are literal"
    );
    assert_eq!(
        search(bob.clone(), "pay_s").await,
        ["payroll"],
        "underscore is literal"
    );
    assert!(
        search(bob.clone(), "plan").await.is_empty(),
        "others' unlisted and private links are not listed"
    );
    let mut own = search(ada.clone(), "plan").await;
    own.sort();
    assert_eq!(own, ["diary", "secret-plan"], "the owner sees their own");
    assert_eq!(
        app.follow("/secret-plan").await.as_deref(),
        Ok("https://plans.example/"),
        "unlisted still resolves"
    );
    let diary = app
        .api(Method::GET, &format!("{LINKS}/diary"), &bob)
        .send()
        .await
        .expect("send");
    assert_eq!(
        diary.status(),
        404,
        "someone else's private link does not exist for you"
    );
}

async fn lists_page_with_limit_and_offset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    for i in 0..7 {
        app.create_link(
            &token,
            json!({"name": format!("link{i}"), "url": "https://a.example/"}),
        )
        .await;
    }
    let mut seen = Vec::new();
    for offset in [0, 3, 6] {
        let page: Value = app
            .api(
                Method::GET,
                &format!("{LINKS}?limit=3&offset={offset}"),
                &token,
            )
            .fetch_json()
            .await;
        assert_eq!(page["total"], 7);
        seen.extend(
            page["links"]
                .as_array()
                .expect("links")
                .iter()
                .filter_map(|l| l["name"].as_str().map(str::to_owned)),
        );
    }
    let expected: Vec<String> = (0..7).map(|i| format!("link{i}")).collect();
    assert_eq!(seen, expected, "stable order, no repeats, nothing lost");
}

async fn api_tokens_are_required_and_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        ("no header", None),
        ("not bearer", Some("Basic YWRhOnB3")),
        ("wrong prefix", Some("Bearer gls_0000")),
        (
            "unknown token",
            Some("Bearer gla_0000000000000000000000000000000000000000000000000000000000000000"),
        ),
    ];
    for (case, header) in cases {
        let mut request = app.client.get(app.url(LINKS));
        if let Some(h) = header {
            request = request.header("authorization", h);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), 401, "case: {case}");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "case: {case}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "case: {case}"
        );
    }
    let unknown_route = app
        .client
        .get(app.url("/_/api/v2/nothing"))
        .send()
        .await
        .expect("send");
    assert_eq!(unknown_route.status(), 404);
    assert_eq!(
        unknown_route.headers()["content-type"],
        "application/problem+json"
    );
}

on_both_backends!(
    a_link_is_created_read_changed_and_deleted,
    invalid_input_is_refused_with_a_problem_and_changes_nothing,
    field_errors_name_each_field,
    names_and_aliases_are_unique_in_every_spelling,
    only_owners_moderators_and_admins_change_a_link,
    search_finds_names_tags_descriptions_and_destinations_the_viewer_may_see,
    lists_page_with_limit_and_offset,
    api_tokens_are_required_and_checked,
);
