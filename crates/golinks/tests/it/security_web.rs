//! The browser-facing defences: the one-time sign-in page posts only to `/_/login` and only
//! for its own organization, every HTML page carries the security headers (and a redirect
//! none), and the session cookie's name and `Secure` follow the configuration.

use golinks::domain::{Email, OrgId, Role, Secret, TokenKind};
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb};

const CSP: &str = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
const HSTS: &str = "max-age=31536000";

/// A one-time sign-in link for a new admin of `org`, as `golinks login-link` makes it.
async fn login_link(app: &TestApp, org: OrgId, email: &str) -> String {
    let store = &app.state.store;
    let email = Email::try_from(email).expect("email");
    let user = store
        .create_user(org, &email, None, Role::Admin)
        .await
        .expect("user");
    let secret = Secret::generate(TokenKind::Login);
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(15);
    store
        .create_login_link(org, user.id, &secret.digest(), expires)
        .await
        .expect("link");
    secret.reveal().to_owned()
}

async fn default_org(app: &TestApp) -> OrgId {
    let org = app.state.store.find_org_by_slug("default").await;
    org.expect("default org").id
}

/// The click on the sign-in page: the token as a form field, to the one fixed path.
async fn post_login(app: &TestApp, host: &str, token: &str) -> Response {
    app.client
        .post(app.url("/_/login"))
        .header("host", host)
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", token)])
        .send()
        .await
        .expect("send")
}

fn set_cookie(response: &Response) -> Option<String> {
    let value = response.headers().get("set-cookie")?;
    value.to_str().ok().map(str::to_owned)
}

async fn a_malformed_sign_in_token_gets_a_404_and_no_form(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hex = "ab".repeat(32);
    let cases = [
        (
            "path traversal to an admin route",
            "..%2F..%2F_%2Fadmin%2Ftokens%2F0190e2b4-0000-7000-8000-000000000000%2Frevoke"
                .to_owned(),
        ),
        ("no secret", "gll_nope".to_owned()),
        ("another kind of token", format!("gla_{hex}")),
        ("one character too many", format!("gll_{hex}0")),
        ("upper-case hex", format!("gll_{}", hex.to_uppercase())),
        ("a quote", format!("gll_{}\"", &hex[1..])),
    ];
    for (case, token) in cases {
        let response = app
            .get(&format!("/_/login/{token}"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 404, "case: {case}");
        let html = response.text().await.expect("body");
        assert!(
            !html.contains("method=\"post\" action=\"/_/login"),
            "case: {case}: {html}"
        );
        assert!(!html.contains("/_/admin"), "case: {case}: {html}");
    }
}

async fn the_sign_in_page_posts_its_token_to_one_fixed_path_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = login_link(&app, default_org(&app).await, "ada@acme.example").await;
    let page = app
        .get(&format!("/_/login/{token}"))
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("action=\"/_/login\""), "{html}");
    assert!(
        html.contains(&format!(
            "<input type=\"hidden\" name=\"token\" value=\"{token}\">"
        )),
        "{html}"
    );

    let old_route = app
        .client
        .post(app.url(&format!("/_/login/{token}")))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(
        old_route.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "no POST /_/login/{{token}}"
    );
    assert!(set_cookie(&old_route).is_none());

    let cross_site = app
        .client
        .post(app.url("/_/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(cross_site.status(), 403);
    let signed_in = post_login(&app, "go", &token).await;
    assert_eq!(
        signed_in.status(),
        StatusCode::SEE_OTHER,
        "the link was still unused"
    );
    assert!(set_cookie(&signed_in).is_some());
    let replay = post_login(&app, "go", &token).await;
    assert_eq!(replay.status(), 400, "a link works once");
    assert!(set_cookie(&replay).is_none());
    let malformed = post_login(&app, "go", "../_/admin/tokens").await;
    assert_eq!(malformed.status(), 400);
}

async fn a_sign_in_link_works_only_on_its_own_organizations_host(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    let acme = store
        .create_org("acme", "Acme", &["go.acme.example".into()])
        .await
        .expect("org");
    app.state.index.sync(store).await.expect("sync");
    let token = login_link(&app, acme, "eve@acme.example").await;
    let elsewhere = post_login(&app, "go", &token).await;
    assert_eq!(
        elsewhere.status(),
        400,
        "acme's link on the default org's host"
    );
    assert!(set_cookie(&elsewhere).is_none());
    let home = post_login(&app, "go.acme.example", &token).await;
    assert_eq!(
        home.status(),
        StatusCode::SEE_OTHER,
        "not used up by the refusal"
    );
    let cookie = set_cookie(&home).expect("cookie");
    let pair = cookie.split(';').next().expect("pair");
    let me = app
        .get("/_/api/v1/me/sessions")
        .header("host", "go.acme.example")
        .header("cookie", pair)
        .send()
        .await
        .expect("send");
    assert_eq!(me.status(), 200, "signed in to acme");
}

fn assert_security_headers(response: &Response, https: bool, what: &str) {
    let headers = response.headers();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    assert!(
        content_type.is_some_and(|c| c.starts_with("text/html")),
        "{what}: an HTML page, got {content_type:?} ({})",
        response.status()
    );
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("content-security-policy"), Some(CSP), "{what}");
    assert_eq!(header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(header("referrer-policy"), Some("same-origin"), "{what}");
    let hsts = https.then_some(HSTS);
    assert_eq!(header("strict-transport-security"), hsts, "{what}");
}

fn assert_no_security_headers(response: &Response, what: &str) {
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "strict-transport-security",
    ] {
        assert!(response.headers().get(name).is_none(), "{what}: {name}");
    }
}

/// Every kind of HTML page, for a member and an admin of the default organization.
async fn every_html_page_kind(app: &TestApp, https: bool) {
    let org = default_org(app).await;
    let (_, token) = app.person("owner@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://docs.acme.example/"}),
    )
    .await;
    let email = Email::try_from("root@acme.example").expect("email");
    let admin = app
        .state
        .store
        .create_user(org, &email, None, Role::Admin)
        .await
        .expect("admin");
    let admin_cookie = app.session_cookie(org, admin.id).await;
    let member_cookie = app.member_cookie().await;
    let (admin_cookie, member_cookie) = if https {
        (
            format!("__Host-{admin_cookie}"),
            format!("__Host-{member_cookie}"),
        )
    } else {
        (admin_cookie, member_cookie)
    };
    let sign_in = format!("/_/login/gll_{}", "ab".repeat(32));
    let pages = [
        ("home", "/_/", &member_cookie, 200),
        ("link page", "/_/links/docs", &member_cookie, 200),
        ("admin page", "/_/admin/org", &admin_cookie, 200),
        (
            "error page (admins only)",
            "/_/admin/org",
            &member_cookie,
            403,
        ),
        (
            "one-time sign-in page",
            sign_in.as_str(),
            &member_cookie,
            200,
        ),
        ("signed out", "/_/signed-out", &member_cookie, 200),
        (
            "single sign-on not set up",
            "/saml/login",
            &member_cookie,
            404,
        ),
        ("missing link", "/nope", &member_cookie, 404),
        ("no such page", "/_/nothing-here", &member_cookie, 404),
    ];
    for (what, path, cookie, status) in pages {
        let response = app
            .get(path)
            .header("cookie", cookie.as_str())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), status, "{what}");
        assert_security_headers(&response, https, what);
    }
    let hit = app
        .get("/docs")
        .header("cookie", member_cookie.as_str())
        .send()
        .await
        .expect("send");
    assert_eq!(hit.status(), 302);
    assert_no_security_headers(&hit, "a link hit");
}

async fn every_html_page_carries_the_security_headers_and_a_redirect_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    every_html_page_kind(&app, false).await;
}

async fn pages_send_hsts_only_with_an_https_base_url(backend: Backend) {
    let db = TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.base_url = Some("https://go.acme.example".into());
    })
    .await;
    every_html_page_kind(&app, true).await;
}

/// Templates carry no inline script, handler or style: the policy (no `unsafe-inline`) would
/// block them.
#[test]
fn no_template_needs_unsafe_inline() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for entry in std::fs::read_dir(&dir).expect("templates") {
        let path = entry.expect("entry").path();
        let html = std::fs::read_to_string(&path)
            .expect("read")
            .to_ascii_lowercase();
        let name = path.display();
        assert!(!html.contains("style="), "{name}: inline style");
        assert!(!html.contains("<style"), "{name}: style element");
        assert!(!html.contains("javascript:"), "{name}: javascript: URL");
        for (i, _) in html.match_indices("<script") {
            assert!(
                html[i..].starts_with("<script src="),
                "{name}: inline script"
            );
        }
        for word in html.split(|c: char| c.is_whitespace() || c == '<') {
            let attribute = word.split('=').next().unwrap_or_default();
            let handler = word.contains('=') && attribute.starts_with("on") && attribute.len() > 2;
            assert!(!handler, "{name}: inline handler {word}");
        }
    }
}

async fn with_https_the_session_cookie_is_host_prefixed_and_secure(backend: Backend) {
    let db = TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.base_url = Some("https://go.acme.example".into());
    })
    .await;
    let token = login_link(&app, default_org(&app).await, "ada@acme.example").await;
    let signed_in = post_login(&app, "go.acme.example", &token).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&signed_in).expect("cookie");
    let (pair, attributes) = cookie.split_once("; ").expect("attributes");
    let value = pair
        .strip_prefix("__Host-golinks_session=gss_")
        .expect("a __Host- cookie");
    assert!(
        attributes.starts_with("Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age="),
        "{cookie}"
    );
    assert!(!cookie.to_ascii_lowercase().contains("domain"), "{cookie}");

    let sessions = |cookie: String| {
        app.get("/_/api/v1/me/sessions")
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(sessions(pair.to_owned()).await.expect("send").status(), 200);
    // Another subdomain can set a plain cookie for this host; with https it is not ours.
    let plain = format!("golinks_session=gss_{value}");
    assert_eq!(sessions(plain).await.expect("send").status(), 401);

    let out = app
        .client
        .post(app.url("/_/logout"))
        .header("cookie", pair)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    let cleared = set_cookie(&out).expect("cleared");
    assert!(
        cleared.starts_with(
            "__Host-golinks_session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
        ),
        "{cleared}"
    );
    assert_eq!(sessions(pair.to_owned()).await.expect("send").status(), 401);
}

/// `form-action 'self'` also covers the redirects after a form post (CSP 3 §6.4.1): signing
/// out must end on a page of ours, not go on through `/saml/login` to the identity provider.
async fn signing_out_ends_on_our_own_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = app.member_cookie().await;
    let out = app
        .client
        .post(app.url("/_/logout"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let to = out.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(to, "/_/signed-out");
    let page = app
        .get(&to)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200, "a page, not another redirect");
    let html = page.text().await.expect("body");
    assert!(html.contains("href=\"/saml/login?next=%2F_%2F\""), "{html}");
}

async fn without_a_base_url_a_forwarded_proto_header_changes_no_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = login_link(&app, default_org(&app).await, "ada@acme.example").await;
    let response = app
        .client
        .post(app.url("/_/login"))
        .header("x-forwarded-proto", "https")
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&response).expect("cookie");
    assert!(cookie.starts_with("golinks_session=gss_"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair");
    let ignored = app
        .get("/_/api/v1/me/sessions")
        .header("cookie", format!("__Host-{pair}"))
        .send()
        .await
        .expect("send");
    assert_eq!(ignored.status(), 401, "only the name in force is read");
}

on_both_backends!(
    a_malformed_sign_in_token_gets_a_404_and_no_form,
    the_sign_in_page_posts_its_token_to_one_fixed_path_once,
    a_sign_in_link_works_only_on_its_own_organizations_host,
    every_html_page_carries_the_security_headers_and_a_redirect_none,
    pages_send_hsts_only_with_an_https_base_url,
    with_https_the_session_cookie_is_host_prefixed_and_secure,
    without_a_base_url_a_forwarded_proto_header_changes_no_cookie,
    signing_out_ends_on_our_own_page,
);
