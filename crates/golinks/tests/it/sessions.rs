//! Sessions: one-time sign-in links, the cookie, logout, and deactivation ending them.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, FetchJson, TestApp, patch_op};

fn login_link(app: &TestApp, email: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args([
            "login-link",
            "--database-url",
            &app.db.url,
            "--org",
            "default",
            "--email",
            email,
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(
        path.starts_with("/_/login/gll_"),
        "a path alone on the last line: {path:?}"
    );
    path
}

/// The click on a sign-in link's page: its token, posted as a form field to `/_/login`.
fn click(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    let token = path.strip_prefix("/_/login/").unwrap_or(path);
    app.client
        .post(app.url("/_/login"))
        .form(&[("token", token)])
}

/// Signs in through the link like a browser and returns the session cookie (`name=value`).
async fn sign_in(app: &TestApp, path: &str) -> String {
    let page = app.get(path).send().await.expect("send");
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.expect("body").contains("method=\"post\""),
        "a click, not the GET, signs in"
    );
    let response = click(app, path)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().expect("pair").to_owned()
}

async fn a_login_link_signs_in_once_and_logout_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = login_link(&app, "first@acme.example");
    let cross_site = click(&app, &path)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("send");
    assert_eq!(
        cross_site.status(),
        403,
        "CSRF: another site cannot use the form"
    );
    let cookie = sign_in(&app, &path).await;
    let again = click(&app, &path)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(again.status(), 400, "a link works once");
    let me = |cookie: &str| {
        app.client
            .get(app.url("/_/api/v1/links"))
            .header("cookie", cookie.to_owned())
            .send()
    };
    assert_eq!(me(&cookie).await.expect("send").status(), 200);
    let created = app
        .client
        .post(app.url("/_/api/v1/links"))
        .header("cookie", cookie.clone())
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"name": "mine", "url": "https://a.example/", "visibility": "private"}))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.expect("json");
    assert_eq!(
        created["owner"]["email"], "first@acme.example",
        "the first person is an admin, and owns what they make"
    );
    let private = app
        .client
        .get(app.url("/my/mine"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(
        crate::support::location(&private).as_deref(),
        Some("https://a.example/")
    );
    let forged = app
        .client
        .post(app.url("/_/api/v1/links"))
        .header("cookie", cookie.clone())
        .header("origin", "https://evil.example")
        .json(&json!({"name": "x", "url": "https://a.example/"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        forged.status(),
        403,
        "a cookie request from another site changes nothing"
    );
    let home = app
        .client
        .get(app.url("/_/"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert!(
        home.contains(">first@acme.example</a>") && home.contains("Sign out"),
        "the header names who is signed in: {home}"
    );
    let out = app
        .client
        .post(app.url("/_/logout"))
        .header("cookie", cookie.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("Max-Age=0")
    );
    assert_eq!(
        me(&cookie).await.expect("send").status(),
        401,
        "the session is over on the server, not just in the browser"
    );
}

async fn deactivation_ends_sessions_at_once_on_every_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let replica = app.replica().await;
    let scim = app.scim_token().await;
    let person = app
        .scim_create(&scim, crate::scim_users::user("ada@acme.example"))
        .await;
    let cookie = sign_in(&app, &login_link(&app, "ADA@acme.example")).await;
    let me = |server: &TestApp| {
        server
            .client
            .get(server.url("/_/api/v1/links"))
            .header("cookie", cookie.clone())
            .send()
    };
    assert_eq!(me(&app).await.expect("send").status(), 200);
    assert_eq!(me(&replica).await.expect("send").status(), 200);
    let off = patch_op(json!([{"op": "replace", "value": {"active": false}}]));
    let id = person["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(Method::PATCH, &format!("/Users/{id}"), &scim, Some(off))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        me(&app).await.expect("send").status(),
        401,
        "refused on the next request"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while me(&replica).await.expect("send").status() != 401 {
        assert!(
            std::time::Instant::now() < deadline,
            "the replica still accepts the session"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let on = patch_op(json!([{"op": "replace", "value": {"active": true}}]));
    app.scim_json(Method::PATCH, &format!("/Users/{id}"), &scim, Some(on))
        .await;
    assert_eq!(
        me(&app).await.expect("send").status(),
        401,
        "reactivation means signing in again"
    );
    let fresh = sign_in(&app, &login_link(&app, "ada@acme.example")).await;
    let back = app
        .client
        .get(app.url("/_/api/v1/links"))
        .header("cookie", fresh)
        .send()
        .await
        .expect("send");
    assert_eq!(back.status(), 200);
}

async fn an_inactive_person_gets_no_login_link_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = login_link(&app, "gone@acme.example");
    let out = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args([
            "user",
            "deactivate",
            "--database-url",
            &app.db.url,
            "--email",
            "gone@acme.example",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let response = click(&app, &path)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("set-cookie").is_none());
    let bogus = click(&app, "/_/login/gll_nope")
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(bogus.status(), 400);
}

async fn a_person_sees_their_sessions_and_ends_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let laptop = sign_in(&app, &login_link(&app, "ada@acme.example")).await;
    let phone = sign_in(&app, &login_link(&app, "ada@acme.example")).await;
    let list: serde_json::Value = app
        .client
        .get(app.url("/_/api/v1/me/sessions"))
        .header("cookie", laptop.clone())
        .fetch_json()
        .await;
    let sessions = list.as_array().expect("array");
    assert_eq!(sessions.len(), 2, "{list}");
    // Newest first: the phone's.
    let phone_id = sessions[0]["id"].as_str().expect("id");
    let ended = app
        .client
        .delete(app.url(&format!("/_/api/v1/me/sessions/{phone_id}")))
        .header("cookie", laptop.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(ended.status(), 204);
    let status = |cookie: String| {
        let request = app
            .client
            .get(app.url("/_/api/v1/links"))
            .header("cookie", cookie);
        async move { request.send().await.expect("send").status() }
    };
    assert_eq!(
        status(phone).await,
        401,
        "the ended session is refused at once"
    );
    assert_eq!(status(laptop.clone()).await, 200);
    let unknown = app
        .client
        .delete(app.url("/_/api/v1/me/sessions/00000000-0000-0000-0000-000000000000"))
        .header("cookie", laptop)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), 404);
}

async fn an_admin_signs_a_person_out_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let replica = app.replica().await;
    let laptop = sign_in(&app, &login_link(&app, "ann@acme.example")).await;
    let phone = sign_in(&app, &login_link(&app, "ann@acme.example")).await;
    let links = |server: &TestApp, cookie: &str| {
        server
            .client
            .get(server.url("/_/api/v1/links"))
            .header("cookie", cookie.to_owned())
            .send()
    };
    assert_eq!(links(&replica, &phone).await.expect("send").status(), 200);
    let out = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(["user", "sign-out", "--database-url", &app.db.url])
        .args(["--org", "default", "--email", "ANN@acme.example"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ended 2 session(s)"));
    // Another process wrote it: each server notices within its sync interval (200 ms here).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    for (server, cookie) in [(&app, &laptop), (&replica, &phone)] {
        while links(server, cookie).await.expect("send").status() != 401 {
            assert!(
                std::time::Instant::now() < deadline,
                "the session still works"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

on_both_backends!(
    an_admin_signs_a_person_out_everywhere,
    a_person_sees_their_sessions_and_ends_one,
    a_login_link_signs_in_once_and_logout_ends_the_session,
    deactivation_ends_sessions_at_once_on_every_server,
    an_inactive_person_gets_no_login_link_session,
);
