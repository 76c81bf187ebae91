//! What SAML sign-in refuses: used request IDs and replayed assertions, the attack catalogue
//! (XSW 1–8, signature, algorithm, time, audience, recipient, destination, issuer, DOCTYPE,
//! comments), malformed and oversize posts, foreign `next` paths and too many attempts.

use serde_json::{Value, json};

use super::{body, find, live_sessions, person, sign_in_for};
use crate::on_both_backends;
use crate::support::idp;
use crate::support::{Backend, TestApp};

async fn a_request_id_and_an_assertion_are_each_used_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    person(&app, "ann@acme.example").await;
    let started = idp::start(&app, "/_/").await;
    let browser = Some(started.browser.as_str());
    let first = idp::response(&app, "ann@acme.example", Some(&started.id), json!({})).await;
    let response = idp::post_from(&app, &first, None, browser).await;
    assert_eq!(response.status(), 303);
    let cleared = response.headers().get_all("set-cookie").iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.starts_with("golinks_saml=;") && v.contains("Max-Age=0"))
    });
    assert!(cleared, "the binding cookie is cleared after use");
    let again = idp::response(&app, "ann@acme.example", Some(&started.id), json!({})).await;
    let response = idp::post_from(&app, &again, None, browser).await;
    assert_eq!(response.status(), 403, "a fresh response to a used request");
    assert!(body(response).await.contains("already answered"));

    // IdP-initiated: no request to use up, so the assertion ID is what stops a replay, on
    // this server and on another one sharing the database.
    let saml = idp::response(&app, "ann@acme.example", None, json!({})).await;
    assert_eq!(idp::post(&app, &saml, None).await.status(), 303);
    let replayed = idp::post(&app, &saml, None).await;
    assert_eq!(replayed.status(), 403);
    assert!(body(replayed).await.contains("used already"));
    let replica = app.replica().await;
    let replayed = idp::post(&replica, &saml, None).await;
    assert_eq!(replayed.status(), 403, "the replay cache is shared");
    assert_eq!(live_sessions(&app, "ann@acme.example").await, 2);
}

/// Each case: what the IdP is asked to do, and a word the refusal page must contain.
fn attacks() -> Vec<(&'static str, Value, &'static str)> {
    let mut cases = vec![
        ("unsigned", json!({"sign_assertion": false}), "not signed"),
        (
            "signed response, assertion changed after signing",
            json!({"sign_assertion": false, "sign_response": true, "attack": "swap_assertion_subject"}),
            "does not verify",
        ),
        ("wrong key", json!({"key": "other"}), "does not verify"),
        ("SHA-1", json!({"alg": "sha1"}), "rsa-sha1"),
        ("expired", json!({"edit": {"kind": "expired"}}), "expired"),
        (
            "not yet valid",
            json!({"edit": {"kind": "not_yet_valid"}}),
            "not valid yet",
        ),
        (
            "wrong audience",
            json!({"edit": {"kind": "audience", "value": "https://other.example/saml"}}),
            "audience",
        ),
        (
            "no audience",
            json!({"edit": {"kind": "no_audience"}}),
            "no audience",
        ),
        (
            "wrong recipient",
            json!({"edit": {"kind": "recipient", "value": "https://other.example/acs"}}),
            "recipient",
        ),
        (
            "wrong destination",
            json!({"sign_response": true, "edit": {"kind": "destination", "value": "https://other.example/acs"}}),
            "addressed to",
        ),
        (
            "wrong issuer",
            json!({"edit": {"kind": "issuer", "value": "https://evil.example/idp"}}),
            "issued by",
        ),
        (
            "failed status",
            json!({"edit": {"kind": "status", "value": "urn:oasis:names:tc:SAML:2.0:status:Requester"}}),
            "did not sign anyone in",
        ),
        ("DOCTYPE", json!({"attack": "doctype"}), "DOCTYPE"),
        (
            "comment inside NameID",
            json!({"attack": "comment_in_name_id"}),
            "comment",
        ),
    ];
    for xsw in ["xsw1", "xsw2"] {
        cases.push((
            xsw,
            json!({"sign_assertion": false, "sign_response": true, "attack": xsw, "evil": "ann@acme.example"}),
            "exactly one",
        ));
    }
    for xsw in ["xsw3", "xsw4", "xsw5", "xsw6", "xsw7", "xsw8"] {
        cases.push((
            xsw,
            json!({"attack": xsw, "evil": "ann@acme.example"}),
            "exactly one",
        ));
    }
    cases
}

async fn attacks_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    // ann is the victim; mallory has a real IdP account and tampers with his own responses.
    person(&app, "ann@acme.example").await;
    for (case, extra, reason) in attacks() {
        let name_id = if case == "comment inside NameID" {
            "ann@acme.example.evil.example"
        } else {
            "mallory@acme.example"
        };
        let started = idp::start(&app, "/_/").await;
        let saml = idp::response(&app, name_id, Some(&started.id), extra).await;
        let response = idp::post_from(&app, &saml, None, Some(&started.browser)).await;
        assert_eq!(response.status(), 403, "case: {case}");
        assert!(idp::session_cookie(&response).is_none(), "case: {case}");
        let page = body(response).await;
        assert!(page.contains(reason), "case {case}: {page}");
        assert_eq!(
            live_sessions(&app, "ann@acme.example").await,
            0,
            "case: {case}"
        );
        assert!(
            find(&app, "mallory@acme.example").await.is_none(),
            "case: {case}"
        );
        assert!(
            find(&app, "ann@acme.example.evil.example").await.is_none(),
            "case: {case}"
        );
    }
    // A response to a request we never sent.
    let saml = idp::response(&app, "ann@acme.example", Some("_never-sent"), json!({})).await;
    let response = idp::post(&app, &saml, None).await;
    assert_eq!(response.status(), 403);
    assert!(body(response).await.contains("no sign-in request of ours"));
    assert_eq!(live_sessions(&app, "ann@acme.example").await, 0);
    // The controls: the same IdP, untampered, signs ann in, whether it signs the assertion
    // (Entra's default), the response, or both (Okta's default).
    for signing in [
        json!({}),
        json!({"sign_assertion": false, "sign_response": true}),
        json!({"sign_response": true}),
    ] {
        let response = sign_in_for(&app, "ann@acme.example", "/_/", signing.clone()).await;
        assert_eq!(
            response.status(),
            303,
            "{signing}: {}",
            body(response).await
        );
    }
}

async fn malformed_and_oversize_posts_get_a_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    let huge = "A".repeat(600 * 1024);
    let response = idp::post(&app, &huge, None).await;
    assert_eq!(response.status(), 413);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    for junk in ["%%%not base64", "PHg+PC94Pg=="] {
        let response = idp::post(&app, junk, None).await;
        assert_eq!(response.status(), 403, "{junk}");
        let page = body(response).await;
        assert!(page.contains("Sign-in refused"), "{page}");
    }
    let response = app
        .client
        .post(app.url("/saml/acs"))
        .form(&[("nothing", "here")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
}

async fn sign_in_only_returns_to_local_paths_and_is_rate_limited(backend: Backend) {
    let db = crate::support::TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.sign_in_rate_per_min = std::num::NonZeroU32::MIN;
        c.sign_in_burst = std::num::NonZeroU32::new(3).expect("nonzero");
    })
    .await;
    let not_configured = app.get("/saml/login").send().await.expect("send");
    assert_eq!(not_configured.status(), 404);
    assert!(body(not_configured).await.contains("golinks login-link"));
    idp::configure(&app, |_| {}).await;
    let evil = app
        .get("/saml/login?next=//evil.example/")
        .send()
        .await
        .expect("send");
    assert_eq!(evil.status(), 400);
    let ok = app
        .get("/saml/login?next=/docs")
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 302);
    let limited = app
        .get("/saml/login?next=/docs")
        .send()
        .await
        .expect("send");
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

on_both_backends!(
    a_request_id_and_an_assertion_are_each_used_once,
    attacks_are_refused_and_change_nothing,
    malformed_and_oversize_posts_get_a_page,
    sign_in_only_returns_to_local_paths_and_is_rate_limited,
);
