//! SAML sign-in against a real pysaml2 identity provider signing with xmlsec1: SP- and
//! IdP-initiated sign-in, just-in-time accounts, inactive people, sessions ended by SCIM,
//! access to links, and the attacks a service provider must refuse.

use golinks::domain::{Email, OrgId, Role};
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::idp::{self, IDP_ENTITY_ID};
use crate::support::{Backend, TestApp, location, patch_op};

mod csrf;
mod fetches;
mod refusals;

pub(super) async fn default_org(app: &TestApp) -> OrgId {
    app.state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org")
        .id
}

/// A person, active or not, created as SCIM or an admin would.
pub(super) async fn person(app: &TestApp, email: &str) -> golinks::store::User {
    let org = default_org(app).await;
    let email = Email::try_from(email).expect("email");
    app.state
        .store
        .create_user(org, &email, Some("Ann Example"), Role::Member)
        .await
        .expect("user")
}

pub(super) async fn find(app: &TestApp, email: &str) -> Option<golinks::store::User> {
    let org = default_org(app).await;
    let email = Email::try_from(email).expect("email");
    app.state
        .store
        .find_user_for_sign_in(org, &email)
        .await
        .ok()
}

pub(super) async fn live_sessions(app: &TestApp, email: &str) -> usize {
    let Some(user) = find(app, email).await else {
        return 0;
    };
    let org = default_org(app).await;
    app.state
        .store
        .list_sessions(org, user.id)
        .await
        .expect("sessions")
        .len()
}

/// Where the ACS sends the browser after sign-in (303 See Other).
pub(super) fn signed_in_to(response: &reqwest::Response) -> Option<String> {
    assert_eq!(response.status(), 303, "{:?}", response.headers());
    Some(
        response
            .headers()
            .get("location")?
            .to_str()
            .ok()?
            .to_owned(),
    )
}

pub(super) async fn body(response: reqwest::Response) -> String {
    response.text().await.expect("body")
}

/// Signs in SP-initiated for `next` and returns the ACS answer.
pub(super) async fn sign_in_for(
    app: &TestApp,
    email: &str,
    next: &str,
    extra: Value,
) -> reqwest::Response {
    let started = idp::start(app, next).await;
    let saml = idp::response(app, email, Some(&started.id), extra).await;
    idp::post_from(app, &saml, None, Some(&started.browser)).await
}

pub(super) async fn link(app: &TestApp) {
    let (_, token) = app.person("owner@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://docs.acme.example/"}),
    )
    .await;
}

async fn metadata_describes_this_service_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/saml/metadata").send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/samlmetadata+xml"
    );
    let xml = body(response).await;
    for part in [
        format!("entityID=\"{}\"", app.url("/saml/metadata")),
        format!("Location=\"{}\"", app.url("/saml/acs")),
        "AuthnRequestsSigned=\"false\"".to_owned(),
        "WantAssertionsSigned=\"true\"".to_owned(),
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_owned(),
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".to_owned(),
    ] {
        assert!(xml.contains(&part), "{part} in {xml}");
    }
    // A fixed base URL wins over the request's host.
    idp::configure(&app, |s| {
        s.sp_base_url = Some("https://go.acme.example".into());
    })
    .await;
    let xml = body(app.get("/saml/metadata").send().await.expect("send")).await;
    assert!(xml.contains("entityID=\"https://go.acme.example/saml/metadata\""));
    assert!(xml.contains("Location=\"https://go.acme.example/saml/acs\""));
}

async fn sp_initiated_sign_in_returns_to_the_requested_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    link(&app).await;
    idp::configure(&app, |_| {}).await;
    person(&app, "ann@acme.example").await;

    // Not signed in: the link sends the browser through sign-in, and back.
    let first = app.get("/docs/intro?lang=en").send().await.expect("send");
    assert_eq!(first.status(), 302);
    let to_login = location(&first).expect("location");
    assert_eq!(to_login, "/saml/login?next=%2Fdocs%2Fintro%3Flang%3Den");
    let login = app.get(&to_login).send().await.expect("send");
    assert_eq!(login.status(), 302);
    assert!(
        location(&login)
            .expect("to the IdP")
            .starts_with("https://idp.test.example/sso?SAMLRequest="),
    );

    let response = sign_in_for(&app, "ANN@acme.example", "/docs/intro?lang=en", json!({})).await;
    assert_eq!(
        signed_in_to(&response).as_deref(),
        Some("/docs/intro?lang=en")
    );
    let set_cookie = response.headers()["set-cookie"].to_str().expect("cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = idp::session_cookie(&response).expect("session");
    let hit = app
        .get("/docs/intro?lang=en")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(
        location(&hit).as_deref(),
        Some("https://docs.acme.example/intro?lang=en")
    );
    assert_eq!(
        live_sessions(&app, "ann@acme.example").await,
        1,
        "the email matched ann case-insensitively; no second person"
    );
    assert!(find(&app, "ANN@acme.example").await.is_some());
}

async fn idp_initiated_sign_in_follows_relay_state_when_allowed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    person(&app, "ann@acme.example").await;
    let saml = idp::response(&app, "ann@acme.example", None, json!({})).await;
    let response = idp::post(&app, &saml, Some("/docs")).await;
    assert_eq!(signed_in_to(&response).as_deref(), Some("/docs"));
    let saml = idp::response(&app, "ann@acme.example", None, json!({})).await;
    let response = idp::post(&app, &saml, Some("https://evil.example/")).await;
    assert_eq!(
        signed_in_to(&response).as_deref(),
        Some("/_/"),
        "a RelayState off this site lands on the home page"
    );

    idp::configure(&app, |s| s.idp_initiated = false).await;
    let saml = idp::response(&app, "ann@acme.example", None, json!({})).await;
    let response = idp::post(&app, &saml, None).await;
    assert_eq!(response.status(), 403);
    assert!(idp::session_cookie(&response).is_none());
    assert!(
        body(response)
            .await
            .contains("started at the identity provider")
    );
}

async fn unknown_people_are_created_just_in_time_unless_turned_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |s| s.jit = false).await;
    let response = sign_in_for(&app, "new@acme.example", "/_/", json!({})).await;
    assert_eq!(response.status(), 403);
    assert!(idp::session_cookie(&response).is_none());
    assert!(
        body(response)
            .await
            .contains("Ask your admin to assign golinks to you")
    );
    assert!(find(&app, "new@acme.example").await.is_none());

    idp::configure(&app, |s| s.jit = true).await;
    let attributes = json!({"attributes": {"givenName": ["Nia"], "sn": ["New"]}});
    let response = sign_in_for(&app, "new@acme.example", "/_/", attributes).await;
    assert_eq!(response.status(), 303);
    let user = find(&app, "new@acme.example").await.expect("created");
    assert_eq!(user.role, Role::Member);
    assert!(user.active);
    assert_eq!(user.display_name.as_deref(), Some("Nia New"));
}

async fn the_email_can_come_from_an_attribute(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |s| s.email_attribute = Some("mail".into())).await;
    person(&app, "ann@acme.example").await;
    let extra = json!({"attributes": {"mail": ["ann@acme.example"]}});
    let response = sign_in_for(&app, "00u1abcd@okta.example", "/_/", extra).await;
    assert_eq!(response.status(), 303, "{}", body(response).await);
    assert_eq!(live_sessions(&app, "ann@acme.example").await, 1);
    let response = sign_in_for(&app, "ann@acme.example", "/_/", json!({})).await;
    assert_eq!(response.status(), 403, "no mail attribute");
    let page = body(response).await;
    assert!(page.contains("no attribute &#34;mail&#34;"), "{page}");
}

async fn inactive_and_deleted_people_are_refused_whatever_the_idp_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    let token = app.scim_token().await;
    let ann = app
        .scim_create(
            &token,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                   "userName": "ann@acme.example", "active": false}),
        )
        .await;
    assert_eq!(ann["active"], false);
    let response = sign_in_for(&app, "ann@acme.example", "/_/", json!({})).await;
    assert_eq!(response.status(), 403);
    assert!(idp::session_cookie(&response).is_none());
    assert!(body(response).await.contains("inactive"));

    let bob = app
        .scim_create(
            &token,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                   "userName": "bob@acme.example"}),
        )
        .await;
    let id = bob["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(status, 204);
    let response = sign_in_for(&app, "bob@acme.example", "/_/", json!({})).await;
    assert_eq!(
        response.status(),
        403,
        "JIT does not bring a deleted person back"
    );
    assert!(body(response).await.contains("removed"));
    assert_eq!(live_sessions(&app, "bob@acme.example").await, 0);
}

async fn deactivation_over_scim_ends_the_session_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    link(&app).await;
    idp::configure(&app, |_| {}).await;
    let token = app.scim_token().await;
    let ann = app
        .scim_create(
            &token,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                   "userName": "ann@acme.example"}),
        )
        .await;
    let response = sign_in_for(&app, "ann@acme.example", "/docs", json!({})).await;
    let cookie = idp::session_cookie(&response).expect("signed in");
    let follow = || app.get("/docs").header("cookie", &cookie).send();
    assert_eq!(
        location(&follow().await.expect("send")).as_deref(),
        Some("https://docs.acme.example/")
    );
    let id = ann["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            Some(patch_op(
                json!([{"op": "replace", "path": "active", "value": false}]),
            )),
        )
        .await;
    assert_eq!(status, 200);
    let after = follow().await.expect("send");
    assert_eq!(
        location(&after).as_deref(),
        Some("/saml/login?next=%2Fdocs"),
        "the next request is anonymous again"
    );
}

async fn links_and_pages_need_a_member_unless_the_org_trusts_its_network(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.person("owner@acme.example", Role::Member).await;
    for (name, visibility) in [
        ("docs", "company"),
        ("hidden", "unlisted"),
        ("press", "public"),
    ] {
        app.create_link(
            &token,
            json!({"name": name, "url": format!("https://acme.example/{name}"), "visibility": visibility}),
        )
        .await;
    }
    let anonymous = |path: &'static str| {
        let request = app.get(path).send();
        async move { location(&request.await.expect("send")) }
    };
    assert_eq!(
        anonymous("/docs").await.as_deref(),
        Some("/saml/login?next=%2Fdocs")
    );
    assert_eq!(
        anonymous("/hidden").await.as_deref(),
        Some("/saml/login?next=%2Fhidden")
    );
    assert_eq!(
        anonymous("/nope").await.as_deref(),
        Some("/saml/login?next=%2Fnope"),
        "a missing link is not told apart from an existing one"
    );
    assert_eq!(
        anonymous("/press").await.as_deref(),
        Some("https://acme.example/press")
    );
    assert_eq!(
        anonymous("/_/").await.as_deref(),
        Some("/saml/login?next=%2F_%2F")
    );
    let api = app.get("/_/api/v1/links").send().await.expect("send");
    assert_eq!(api.status(), 401);
    assert_eq!(
        app.follow("/docs").await.as_deref(),
        Ok("https://acme.example/docs"),
        "a member follows it"
    );

    let org = default_org(&app).await;
    app.state
        .store
        .set_anonymous_resolution(org, true)
        .await
        .expect("setting");
    app.state.index.sync(&app.state.store).await.expect("sync");
    assert_eq!(
        anonymous("/docs").await.as_deref(),
        Some("https://acme.example/docs")
    );
    assert_eq!(
        anonymous("/_/").await.as_deref(),
        Some("/saml/login?next=%2F_%2F"),
        "the web UI still needs sign-in"
    );
}

async fn sso_configure_reads_idp_metadata_and_keeps_unnamed_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("idp.xml");
    std::fs::write(&file, idp::metadata().await).expect("write");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_golinks"))
            .args(args)
            .args(["--database-url", &app.db.url, "--org", "default"])
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let path = file.to_str().expect("path");
    let (ok, out) = run(&[
        "sso",
        "configure",
        "--idp-metadata",
        path,
        "--jit",
        "off",
        "--email-attribute",
        "mail",
        "--base-url",
        "https://go.acme.example/",
    ]);
    assert!(ok, "{out}");
    assert!(out.contains(IDP_ENTITY_ID), "{out}");
    assert!(
        out.contains("ACS URL:           https://go.acme.example/saml/acs"),
        "{out}"
    );
    assert!(
        out.contains("CN") || out.contains("golinks test idp"),
        "{out}"
    );
    let (ok, out) = run(&["sso", "configure", "--idp-metadata", path]);
    assert!(ok, "{out}");
    let settings = app
        .state
        .store
        .sso_settings(default_org(&app).await)
        .await
        .expect("read")
        .expect("configured");
    assert!(!settings.jit, "kept");
    assert_eq!(settings.email_attribute.as_deref(), Some("mail"));
    assert_eq!(
        settings.sp_base_url.as_deref(),
        Some("https://go.acme.example")
    );
    assert_eq!(settings.sso_url, "https://idp.test.example/sso");
    assert_eq!(settings.certificates.len(), 1);

    std::fs::write(&file, "<EntityDescriptor entityID=\"x\"/>").expect("write");
    let (ok, out) = run(&["sso", "configure", "--idp-metadata", path]);
    assert!(!ok);
    assert!(out.contains("no identity provider"), "{out}");
    let (ok, out) = run(&["sso", "show"]);
    assert!(ok && out.contains("just-in-time:      off"), "{out}");
}

on_both_backends!(
    metadata_describes_this_service_provider,
    sp_initiated_sign_in_returns_to_the_requested_link,
    idp_initiated_sign_in_follows_relay_state_when_allowed,
    unknown_people_are_created_just_in_time_unless_turned_off,
    the_email_can_come_from_an_attribute,
    inactive_and_deleted_people_are_refused_whatever_the_idp_says,
    deactivation_over_scim_ends_the_session_at_once,
    links_and_pages_need_a_member_unless_the_org_trusts_its_network,
    sso_configure_reads_idp_metadata_and_keeps_unnamed_settings,
);
