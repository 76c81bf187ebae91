//! Short alias hosts (`go`) → the organization's canonical base URL, where the session cookie
//! lives (issue 12): go links 302 there, every other path 308s there, no cookie is ever set
//! on an alias, and without a base URL nothing changes.

use std::process::{Command, Output, Stdio};

use golinks::domain::{BaseUrl, Role};
use reqwest::{Client, Method, Response};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb};

const CANONICAL: &str = "http://go.acme.example";

/// A server whose `--base-url` is [`CANONICAL`], a company link `docs`, and a client that
/// reaches the server under any of the host names `go`, `go.acme.example`.
async fn with_base_url(backend: Backend) -> (TestApp, Client) {
    let db = TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| c.base_url = Some(CANONICAL.into())).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    let client = client_for(&app, &["go", "go.acme.example", "go.other.example"]);
    // The API too is on the canonical host only.
    let created = client
        .post(format!("{CANONICAL}/_/api/v1/links"))
        .bearer_auth(token)
        .json(&json!({"name": "docs", "url": "https://wiki.example/docs"}))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
    (app, client)
}

/// A client that does not follow redirects and sends these host names to the test server
/// (on their default port: the URL names none).
fn client_for(app: &TestApp, hosts: &[&str]) -> Client {
    hosts
        .iter()
        .fold(Client::builder(), |b, h| b.resolve(h, app.addr))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn location(response: &Response) -> Option<&str> {
    response.headers().get("location")?.to_str().ok()
}

fn assert_no_cookie(response: &Response, what: &str) {
    assert!(
        response.headers().get("set-cookie").is_none(),
        "{what}: a cookie set on an alias host: {:?}",
        response.headers().get("set-cookie")
    );
}

async fn a_signed_in_person_on_an_alias_reaches_the_link_in_two_hops(backend: Backend) {
    let (app, client) = with_base_url(backend).await;
    let cookie = app.member_cookie().await;
    // The browser has no cookie for `go`: the session belongs to go.acme.example.
    let first = client
        .get("http://go/docs/setup?q=1")
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), 302);
    assert_no_cookie(&first, "go link on an alias");
    let next = location(&first).expect("location").to_owned();
    assert_eq!(next, format!("{CANONICAL}/docs/setup?q=1"));
    let second = client
        .get(&next)
        .header("cookie", cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(second.status(), 302);
    assert_eq!(
        location(&second),
        Some("https://wiki.example/docs/setup?q=1"),
        "path and query intact at the destination"
    );
    // Case, a trailing dot and the default port are the canonical host still.
    for host in ["GO.ACME.EXAMPLE", "go.acme.example.", "go.acme.example:80"] {
        let response = app
            .browse("/docs")
            .await
            .header("host", host)
            .send()
            .await
            .expect("send");
        assert_eq!(
            location(&response),
            Some("https://wiki.example/docs"),
            "{host}"
        );
    }
    // Another port on the same name is another origin: sent to the canonical one.
    let other_port = app
        .get("/docs")
        .header("host", "go.acme.example:8080")
        .send()
        .await
        .expect("send");
    assert_eq!(
        location(&other_port),
        Some(format!("{CANONICAL}/docs").as_str())
    );
}

async fn every_other_path_on_an_alias_answers_308_without_a_cookie(backend: Backend) {
    let (app, client) = with_base_url(backend).await;
    let cookie = app.member_cookie().await;
    for (method, path) in [
        (Method::GET, "/"),
        (Method::GET, "/_/links/docs?tab=history"),
        (Method::GET, "/_/signed-out"),
        (Method::POST, "/_/login"),
        (Method::GET, "/_/api/v1/links?limit=5"),
        (Method::POST, "/_/api/v1/links"),
        (Method::GET, "/scim/v2/Users?filter=userName%20eq%20%22a%22"),
        (Method::GET, "/saml/login?next=/docs"),
        (Method::GET, "/saml/metadata"),
        (Method::GET, "/my/notes"),
    ] {
        for host in ["go", "go.other.example"] {
            let response = client
                .request(method.clone(), format!("http://{host}{path}"))
                // Even a browser holding a cookie for the alias (from before) gets none set.
                .header("cookie", &cookie)
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), 308, "{method} {host}{path}");
            assert_eq!(
                location(&response),
                Some(format!("{CANONICAL}{path}").as_str()),
                "{method} {host}{path}"
            );
            assert_no_cookie(&response, path);
        }
    }
    // On the canonical host the same pages answer as usual.
    let login = client
        .get(format!("{CANONICAL}/_/signed-out"))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), 200);
}

async fn health_checks_answer_on_any_host(backend: Backend) {
    let (_app, client) = with_base_url(backend).await;
    for path in ["/healthz", "/readyz"] {
        let response = client
            .get(format!("http://go{path}"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "{path}");
    }
}

/// Behind a TLS proxy that is not (yet) trusted, the request looks like plain http; the SAML
/// addresses still follow the canonical base URL, not the request's scheme.
async fn the_saml_addresses_follow_the_canonical_base_url(backend: Backend) {
    let db = TestDb::create(backend).await;
    let canonical = "https://go.acme.example";
    let app = TestApp::spawn_configured(db, |c| c.base_url = Some(canonical.into())).await;
    let client = client_for(&app, &["go.acme.example"]);
    let metadata = client
        .get("http://go.acme.example/saml/metadata")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    for want in [
        format!("entityID=\"{canonical}/saml/metadata\""),
        format!("Location=\"{canonical}/saml/acs\""),
    ] {
        assert!(metadata.contains(&want), "{want} in {metadata}");
    }
}

async fn with_anonymous_resolution_an_alias_resolves_in_one_hop(backend: Backend) {
    let (app, client) = with_base_url(backend).await;
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org");
    store
        .set_anonymous_resolution(org.id, true)
        .await
        .expect("setting");
    app.state.index.sync(store).await.expect("sync");
    let response = client
        .get("http://go/docs/setup?q=1")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 302);
    assert_eq!(
        location(&response),
        Some("https://wiki.example/docs/setup?q=1")
    );
    assert_no_cookie(&response, "anonymous hit");
    // A name that does not resolve is for the canonical host (its page, sign-in).
    let missing = client.get("http://go/nope").send().await.expect("send");
    assert_eq!(missing.status(), 302);
    assert_eq!(
        location(&missing),
        Some(format!("{CANONICAL}/nope").as_str())
    );
    // The other paths still go to the canonical host.
    let page = client
        .get("http://go/_/signed-out")
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 308);
}

async fn an_organizations_own_base_url_wins_over_the_server_flag(backend: Backend) {
    let (app, _) = with_base_url(backend).await;
    let store = &app.state.store;
    let acme = store
        .create_org(
            "acme",
            "Acme",
            &["go.corp".into(), "links.acme.example".into()],
        )
        .await
        .expect("org");
    let own = BaseUrl::try_from("https://links.acme.example").expect("url");
    store.set_org_base_url(acme, Some(&own)).await.expect("set");
    let default = store.find_org_by_slug("default").await.expect("org");
    let elsewhere = BaseUrl::try_from("https://go.default.example").expect("url");
    store
        .set_org_base_url(default.id, Some(&elsewhere))
        .await
        .expect("set");
    app.state.index.sync(store).await.expect("sync");
    for (host, to) in [
        ("go.corp", "https://links.acme.example/_/signed-out"),
        // Another port on the canonical name is another origin.
        (
            "links.acme.example:8443",
            "https://links.acme.example/_/signed-out",
        ),
        ("go", "https://go.default.example/_/signed-out"),
        ("go.acme.example", "https://go.default.example/_/signed-out"),
    ] {
        let response = app
            .get("/_/signed-out")
            .header("host", host)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 308, "{host}");
        assert_eq!(location(&response), Some(to), "{host}");
    }
    let canonical = app
        .get("/_/signed-out")
        .header("host", "links.acme.example")
        .send()
        .await
        .expect("send");
    // No port in `Host` is the scheme's default (RFC 9110 §7.2): behind the TLS proxy, 443.
    assert_eq!(canonical.status(), 200, "on the canonical host and port");
}

async fn without_a_base_url_nothing_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://wiki.example/docs"}),
    )
    .await;
    for host in ["go", "go.acme.example"] {
        let hit = app
            .browse("/docs/setup?q=1")
            .await
            .header("host", host)
            .send()
            .await
            .expect("send");
        assert_eq!(
            location(&hit),
            Some("https://wiki.example/docs/setup?q=1"),
            "{host}"
        );
        let page = app
            .get("/_/signed-out")
            .header("host", host)
            .send()
            .await
            .expect("send");
        assert_eq!(page.status(), 200, "{host}");
        let anonymous = app
            .get("/docs")
            .header("host", host)
            .send()
            .await
            .expect("send");
        let to = location(&anonymous).unwrap_or_default();
        assert!(to.starts_with("/saml/login"), "{host}: sign in first, {to}");
    }
}

fn golinks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run golinks")
}

fn org_list(url: &str) -> String {
    let list = golinks(&["org", "list", "--database-url", url]);
    assert!(list.status.success());
    String::from_utf8_lossy(&list.stdout).into_owned()
}

async fn the_cli_sets_shows_and_checks_the_base_url(backend: Backend) {
    let db = TestDb::create(backend).await;
    let url = db.url.as_str();
    let set = golinks(&[
        "org",
        "set",
        "--database-url",
        url,
        "--base-url",
        "https://GO.acme.example/",
    ]);
    let out = String::from_utf8_lossy(&set.stdout);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(
        out.contains("default: base URL https://go.acme.example"),
        "{out}"
    );
    let list = org_list(url);
    assert!(
        list.contains("default (default)\tDefault\t\thttps://go.acme.example"),
        "{list}"
    );
    for bad in [
        "go.acme.example",
        "https://go.acme.example/links",
        "ftp://go",
    ] {
        let refused = golinks(&[
            "org",
            "set",
            "--database-url",
            url,
            "--add-host",
            "go",
            "--base-url",
            bad,
        ]);
        let err = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{bad}");
        assert!(err.contains("is not a base URL"), "{bad}: {err}");
        assert_eq!(org_list(url), list, "{bad}: nothing changed");
    }
    let cleared = golinks(&["org", "set", "--database-url", url, "--base-url", ""]);
    assert!(cleared.status.success());
    assert!(
        org_list(url).contains("default (default)\tDefault\t\t-"),
        "cleared"
    );
}

on_both_backends!(
    a_signed_in_person_on_an_alias_reaches_the_link_in_two_hops,
    every_other_path_on_an_alias_answers_308_without_a_cookie,
    health_checks_answer_on_any_host,
    the_saml_addresses_follow_the_canonical_base_url,
    with_anonymous_resolution_an_alias_resolves_in_one_hop,
    an_organizations_own_base_url_wins_over_the_server_flag,
    without_a_base_url_nothing_changes,
    the_cli_sets_shows_and_checks_the_base_url,
);
