//! Sign-in CSRF (login as the attacker): a Response is accepted only from the browser that
//! started its AuthnRequest, and which request it answers is read from signed content only.

use base64::Engine;
use serde_json::json;

use super::{body, find, live_sessions, person};
use crate::on_both_backends;
use crate::support::idp;
use crate::support::{Backend, TestApp, TestDb};

async fn a_response_for_another_browser_is_refused_and_uses_nothing_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |s| s.idp_initiated = false).await;
    // mallory starts sign-in in his browser and gets a valid response for himself...
    let mallory = idp::start(&app, "/_/").await;
    let saml = idp::response(&app, "mallory@acme.example", Some(&mallory.id), json!({})).await;
    // ...which he makes ann's browser post: with no cookie, or with the one of her own sign-in.
    let ann = idp::start(&app, "/_/").await;
    assert_ne!(ann.browser, mallory.browser);
    for (case, cookie) in [
        ("no cookie", None),
        ("another browser's cookie", Some(ann.browser.as_str())),
        (
            "a forged cookie",
            Some("golinks_saml=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
    ] {
        let response = idp::post_from(&app, &saml, None, cookie).await;
        assert_eq!(response.status(), 403, "case: {case}");
        assert!(idp::session_cookie(&response).is_none(), "case: {case}");
        let page = body(response).await;
        assert!(page.contains("another browser"), "case {case}: {page}");
        assert!(
            find(&app, "mallory@acme.example").await.is_none(),
            "case: {case}"
        );
    }
    // Nothing was used up: in the browser that started it, the same response signs in.
    let response = idp::post_from(&app, &saml, None, Some(&mallory.browser)).await;
    assert_eq!(response.status(), 303, "{}", body(response).await);
    assert_eq!(live_sessions(&app, "mallory@acme.example").await, 1);
}

async fn in_response_to_is_read_from_signed_content_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |s| s.idp_initiated = false).await;
    person(&app, "ann@acme.example").await;
    // ann's browser starts sign-in; mallory learns the request ID (it is in the redirect URL).
    let ann = idp::start(&app, "/docs").await;
    // mallory's IdP-initiated response (no InResponseTo in the signed assertion), with ann's
    // request ID written into the unsigned Response envelope, posted from ann's browser.
    let saml = idp::response(&app, "mallory@acme.example", None, json!({})).await;
    let xml = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&saml)
            .expect("base64"),
    )
    .expect("utf-8");
    assert!(!xml.contains("InResponseTo"), "{xml}");
    let forged = xml.replacen(" ID=\"", &format!(" InResponseTo=\"{}\" ID=\"", ann.id), 1);
    let forged = base64::engine::general_purpose::STANDARD.encode(forged);
    let response = idp::post_from(&app, &forged, None, Some(&ann.browser)).await;
    assert_eq!(response.status(), 403);
    assert!(idp::session_cookie(&response).is_none());
    let page = body(response).await;
    assert!(page.contains("started at the identity provider"), "{page}");
    assert!(find(&app, "mallory@acme.example").await.is_none());
    // ann's request is still open: her own response signs her in.
    let saml = idp::response(&app, "ann@acme.example", Some(&ann.id), json!({})).await;
    let response = idp::post_from(&app, &saml, None, Some(&ann.browser)).await;
    assert_eq!(response.status(), 303, "{}", body(response).await);
    assert_eq!(live_sessions(&app, "ann@acme.example").await, 1);
}

async fn the_binding_cookie_is_short_lived_and_host_only_over_https(backend: Backend) {
    let app = TestApp::spawn(backend.clone()).await;
    idp::configure(&app, |_| {}).await;
    let login = app.get("/saml/login").send().await.expect("send");
    let set_cookie = login.headers()["set-cookie"].to_str().expect("cookie");
    assert!(set_cookie.starts_with("golinks_saml="), "{set_cookie}");
    for part in ["; Path=/", "; HttpOnly", "; Max-Age=600"] {
        assert!(set_cookie.contains(part), "{part} in {set_cookie}");
    }
    // Two sign-ins at once in one browser (two tabs) share its binding.
    let first = idp::start(&app, "/a").await;
    let second = idp::start_in(&app, "/b", Some(&first.browser)).await;
    assert_eq!(first.browser, second.browser);

    let db = TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.base_url = Some("https://go.acme.example".into());
    })
    .await;
    idp::configure(&app, |_| {}).await;
    let login = app.get("/saml/login").send().await.expect("send");
    let set_cookie = login.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        set_cookie.starts_with("__Host-golinks_saml="),
        "{set_cookie}"
    );
    for part in ["; Path=/", "; HttpOnly", "; Secure", "; SameSite=None"] {
        assert!(set_cookie.contains(part), "{part} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
}

on_both_backends!(
    a_response_for_another_browser_is_refused_and_uses_nothing_up,
    in_response_to_is_read_from_signed_content_only,
    the_binding_cookie_is_short_lived_and_host_only_over_https,
);
