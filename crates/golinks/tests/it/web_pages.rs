//! Server-rendered pages over HTTP (the browser tests in tests/browser cover them in
//! chromium): forms refuse other sites, permissions hold, assets are embedded and cached.

use golinks::domain::Role;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

async fn forms_refuse_other_sites_and_other_peoples_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, owner) = app.person("owner@acme.example", Role::Member).await;
    app.create_link(
        &owner,
        json!({"name": "docs", "url": "https://docs.acme.example/"}),
    )
    .await;
    let cookie = app.member_cookie().await;
    let forged = app
        .client
        .post(app.url("/_/links/new"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("name", "evil"), ("url", "https://evil.example/")])
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status(), 403);
    assert_eq!(app.follow("/evil").await, Err(404), "nothing was created");

    // browser@test.example is a member, not the owner: no edit button, and no edit.
    let page = app
        .browse("/_/links/docs")
        .await
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("https://docs.acme.example/"), "{html}");
    assert!(!html.contains("/_/links/docs/edit"), "no edit for a member");
    let edit = app
        .client
        .post(app.url("/_/links/docs/edit"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "docs"), ("url", "https://evil.example/")])
        .send()
        .await
        .expect("send");
    assert_eq!(edit.status(), 403);
    assert_eq!(
        app.follow("/docs").await.as_deref(),
        Ok("https://docs.acme.example/")
    );

    let created = app
        .client
        .post(app.url("/_/links/new"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("name", "Mine"),
            ("url", "https://mine.example/"),
            ("tags", "a, b ,"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 303);
    assert_eq!(created.headers()["location"], "/_/links/Mine");
    assert_eq!(
        location(&app.browse("/mine+").await.send().await.expect("send")).as_deref(),
        Some("/_/links/mine"),
        "name+ is the link's page"
    );
}

async fn pages_need_a_member_and_assets_are_embedded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for page in ["/_/links/new", "/_/me", "/_/links/docs"] {
        let response = app.get(page).send().await.expect("send");
        let want = format!(
            "/saml/login?next={}",
            url::form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()
        );
        assert_eq!(
            location(&response).as_deref(),
            Some(want.as_str()),
            "{page}"
        );
    }
    // A form sent after the session ended is answered with a page, not a redirect through
    // sign-in (the CSP's form-action would block the hop to the identity provider).
    let sent = app
        .client
        .post(app.url("/_/links/new"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "docs"), ("url", "https://wiki.acme.example/")])
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 401);
    assert_eq!(location(&sent), None);
    assert!(sent.text().await.expect("body").contains("Sign in again"));
    for (path, content_type) in [
        ("/_/static/app.css", "text/css; charset=utf-8"),
        ("/favicon.ico", "image/svg+xml"),
    ] {
        let response = app.get(path).send().await.expect("send");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], content_type);
        assert_eq!(response.headers()["cache-control"], "public, max-age=86400");
    }
    let search = app
        .get("/_/opensearch.xml")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert!(
        search.contains(&format!(
            "template=\"{}/_/?q={{searchTerms}}\"",
            app.url("")
        )),
        "{search}"
    );
    let me = app.browse("/_/me").await.send().await.expect("send");
    let html = me.text().await.expect("body");
    assert!(html.contains("this browser"), "{html}");
}

async fn admin_pages_are_for_admins_and_refuse_other_sites(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for page in [
        "/_/admin/people",
        "/_/admin/tokens",
        "/_/admin/log",
        "/_/admin/sso",
        "/_/admin/org",
    ] {
        let response = app.browse(page).await.send().await.expect("send");
        assert_eq!(response.status(), 403, "{page} for a member");
    }
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    let email = golinks::domain::Email::try_from("root@acme.example").expect("email");
    let admin = app
        .state
        .store
        .create_user(org.id, &email, None, Role::Admin)
        .await
        .expect("admin");
    let cookie = app.session_cookie(org.id, admin.id).await;
    let page = app
        .get("/_/admin/people")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
    let forged = app
        .client
        .post(app.url("/_/admin/tokens"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "evil")])
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status(), 403);
    let tokens = app
        .state
        .store
        .list_scim_tokens(org.id)
        .await
        .expect("tokens");
    assert!(tokens.is_empty(), "no token was made");
    let bad_since = app
        .get("/_/admin/log?since=yesterday")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(bad_since.status(), 422);
    assert!(bad_since.text().await.expect("body").contains("RFC 3339"));
}

/// The browser extension's "create a go link for this tab" opens `/_/links/new?url=…`: the
/// tab's address arrives in the Destination field, escaped (a tab's URL is any text).
async fn the_new_link_form_takes_its_destination_from_the_query(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tab = "https://wiki.example/a?b=1&c=\"><script>x</script>";
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("url", tab)
        .finish();
    let response = app
        .browse(&format!("/_/links/new?{query}"))
        .await
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("body");
    assert!(
        html.contains(r#"name="url" value="https://wiki.example/a?b=1&#38;c=&#34;&#62;&#60;script&#62;x&#60;/script&#62;""#),
        "{html}"
    );
    assert!(!html.contains("<script>x"), "{html}");
}

on_both_backends!(
    the_new_link_form_takes_its_destination_from_the_query,
    admin_pages_are_for_admins_and_refuse_other_sites,
    forms_refuse_other_sites_and_other_peoples_links,
    pages_need_a_member_and_assets_are_embedded,
);
