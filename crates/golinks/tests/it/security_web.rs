//! The browser-facing defences: the one-time sign-in page posts only to `/_/login` and only
//! for its own organization, and the session cookie's name and `Secure` follow the
//! configuration.

use golinks::domain::{Email, OrgId, Role, Secret, TokenKind};
use reqwest::{Response, StatusCode};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb};

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
    with_https_the_session_cookie_is_host_prefixed_and_secure,
    without_a_base_url_a_forwarded_proto_header_changes_no_cookie,
);
