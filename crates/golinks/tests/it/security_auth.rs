//! Who is asking, under attack: forged client addresses and schemes, made-up cookies and
//! tokens that would cost a database read each, and token guessing.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb};

/// A server behind a reverse proxy on loopback (the test client's address).
async fn behind_proxy(
    backend: Backend,
    adjust: impl FnOnce(&mut golinks::config::Config),
) -> TestApp {
    let db = TestDb::create(backend).await;
    TestApp::spawn_configured(db, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("range")];
        adjust(c);
    })
    .await
}

/// One sign-in attempt (a made-up one-time link) as `forwarded_for` says; its status.
async fn sign_in_attempt(app: &TestApp, forwarded_for: &str) -> StatusCode {
    app.client
        .post(app.url("/_/login"))
        .form(&[("token", "gll_made-up")])
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .expect("send")
        .status()
}

async fn the_sign_in_limit_counts_the_client_the_trusted_proxy_saw(backend: Backend) {
    let app = behind_proxy(backend, |c| {
        c.sign_in_rate_per_min = std::num::NonZeroU32::MIN;
        c.sign_in_burst = std::num::NonZeroU32::new(3).expect("nonzero");
    })
    .await;
    for forged in ["6.6.6.1", "6.6.6.2", "6.6.6.3"] {
        let status = sign_in_attempt(&app, &format!("{forged}, 192.0.2.7")).await;
        assert_eq!(status, 400, "a bad link, counted against 192.0.2.7");
    }
    let response = app
        .client
        .post(app.url("/_/login"))
        .form(&[("token", "gll_made-up")])
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", "6.6.6.4, 192.0.2.7")
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status(),
        429,
        "forging the left entries does not make a new client"
    );
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        sign_in_attempt(&app, "192.0.2.8").await,
        400,
        "another client behind the same proxy keeps its allowance"
    );
    for n in 1..=3 {
        let v6 = format!("2001:db8:1:2::{n}");
        assert_eq!(sign_in_attempt(&app, &v6).await, 400, "{v6}");
    }
    assert_eq!(
        sign_in_attempt(&app, "2001:db8:1:2:ffff::9").await,
        429,
        "IPv6 clients are counted per /64"
    );
    assert_eq!(sign_in_attempt(&app, "2001:db8:1:3::1").await, 400);
}

async fn forwarded_headers_from_an_untrusted_peer_are_ignored(backend: Backend) {
    let app = TestApp::spawn_configured(TestDb::create(backend).await, |c| {
        c.sign_in_rate_per_min = std::num::NonZeroU32::MIN;
        c.sign_in_burst = std::num::NonZeroU32::new(3).expect("nonzero");
    })
    .await;
    for n in 1..=3 {
        let status = sign_in_attempt(&app, &format!("192.0.2.{n}")).await;
        assert_eq!(status, 400);
    }
    assert_eq!(
        sign_in_attempt(&app, "192.0.2.99").await,
        429,
        "without --trusted-proxies a client cannot claim another address"
    );
    let location = |app: &TestApp| {
        let request = app
            .get("/scim/v2/ResourceTypes/User")
            .header("x-forwarded-proto", "https");
        async move {
            let body: Value = request
                .send()
                .await
                .expect("send")
                .json()
                .await
                .expect("json");
            body["meta"]["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let untrusted = location(&app).await;
    assert!(
        untrusted.starts_with("http://"),
        "X-Forwarded-Proto from an untrusted peer is ignored: {untrusted}"
    );
    let proxied = behind_proxy(Backend::Sqlite, |_| {}).await;
    let trusted = location(&proxied).await;
    assert!(
        trusted.starts_with("https://"),
        "a trusted proxy's X-Forwarded-Proto is believed: {trusted}"
    );
}

/// Renames the tables that sessions and tokens are read from: from now on, any look-up of a
/// cookie or token in the database fails (and is answered 500 where the protocol says so).
async fn break_the_token_tables(app: &TestApp) {
    let statements = [
        "ALTER TABLE sessions RENAME TO sessions_gone",
        "ALTER TABLE api_tokens RENAME TO api_tokens_gone",
        "ALTER TABLE scim_tokens RENAME TO scim_tokens_gone",
    ];
    if app.db.url.starts_with("sqlite:") {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&app.db.url)
            .await
            .expect("connect");
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await.expect(sql);
        }
        let _ = conn.close().await;
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&app.db.url)
            .await
            .expect("connect");
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await.expect(sql);
        }
        let _ = conn.close().await;
    }
}

async fn made_up_cookies_and_tokens_are_refused_without_a_database_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let real = app.member_cookie().await;
    let cookie_name = real.split('=').next().expect("name").to_owned();
    let made_up_cookie = format!("{cookie_name}=gss_made-up-session");
    let with_cookie = |cookie: String| app.get("/_/api/v1/links").header("cookie", cookie).send();
    let api = |token: &'static str| app.api(Method::GET, "/_/api/v1/links", token).send();
    let scim = |token: &'static str| app.scim(Method::GET, "/Users", token).send();
    let status = |r: reqwest::Result<reqwest::Response>| r.expect("send").status().as_u16();
    // The first time, each is looked up and found unknown.
    assert_eq!(status(with_cookie(made_up_cookie.clone()).await), 401);
    assert_eq!(status(api("gla_made-up-api-token").await), 401);
    assert_eq!(status(scim("gls_made-up-scim-token").await), 401);
    break_the_token_tables(&app).await;
    assert_eq!(
        status(api("gla_another-made-up-token").await),
        500,
        "control: a look-up now fails"
    );
    assert_eq!(status(scim("gls_another-made-up-token").await), 500);
    let lifetimes = app.state.config.session_lifetimes();
    let lookup = |value: &str| {
        let digest = golinks::domain::token::digest(value);
        let state = app.state.clone();
        async move {
            state
                .sessions
                .lookup(&state.store, &state.index, &digest, lifetimes)
                .await
        }
    };
    assert!(
        lookup("gss_never-seen").await.is_err(),
        "control: a session look-up now fails"
    );
    for _ in 0..3 {
        assert_eq!(status(with_cookie(made_up_cookie.clone()).await), 401);
        assert!(
            matches!(lookup("gss_made-up-session").await, Ok(None)),
            "the made-up cookie is answered from memory"
        );
        assert_eq!(
            status(api("gla_made-up-api-token").await),
            401,
            "the made-up API token is answered from memory"
        );
        assert_eq!(
            status(scim("gls_made-up-scim-token").await),
            401,
            "the made-up SCIM token is answered from memory"
        );
    }
}

/// Made-up API tokens from 198.51.100.66 (behind the trusted proxy, forging the left
/// entries) until one is refused; that answer.
async fn guess_api_tokens_until_refused(app: &TestApp) -> reqwest::Response {
    for n in 0..40 {
        let response = app
            .api(Method::GET, "/_/api/v1/links", &format!("gla_guess-{n}"))
            .header("x-forwarded-for", format!("6.6.6.{n}, 198.51.100.66"))
            .send()
            .await
            .expect("send");
        match response.status().as_u16() {
            401 => {}
            429 => return response,
            other => panic!("guess {n}: unexpected {other}"),
        }
    }
    panic!("the guesser is not stopped within 40 attempts");
}

async fn guessing_tokens_from_one_address_is_stopped_in_each_protocols_format(backend: Backend) {
    let app = behind_proxy(backend, |_| {}).await;
    let (_, api_token) = app
        .person("someone@acme.example", golinks::domain::Role::Member)
        .await;
    let scim_token = app.scim_token().await;
    let refused = guess_api_tokens_until_refused(&app).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.expect("json problem");
    assert_eq!(problem["status"], 429);
    let scim = app
        .scim(Method::GET, "/Users", "gls_guess")
        .header("x-forwarded-for", "6.6.6.99, 198.51.100.66")
        .send()
        .await
        .expect("send");
    assert_eq!(
        scim.status(),
        429,
        "SCIM guesses count against the same address"
    );
    assert!(scim.headers().contains_key("retry-after"));
    let error: Value = scim.json().await.expect("SCIM error");
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(error["status"], "429");
    let blocked = app
        .api(Method::GET, "/_/api/v1/links", &api_token)
        .header("x-forwarded-for", "198.51.100.66")
        .send()
        .await
        .expect("send");
    assert_eq!(
        blocked.status(),
        429,
        "the guessing address is refused before any look-up, even with a valid token"
    );
    let from_elsewhere = |path: &str, token: &str, scim: bool| {
        let request = if scim {
            app.scim(Method::GET, path, token)
        } else {
            app.api(Method::GET, path, token)
        };
        request.header("x-forwarded-for", "192.0.2.10").send()
    };
    let api_ok = from_elsewhere("/_/api/v1/links", &api_token, false)
        .await
        .expect("send");
    assert_eq!(
        api_ok.status(),
        200,
        "a valid API token from another address works"
    );
    let scim_ok = from_elsewhere("/Users", &scim_token, true)
        .await
        .expect("send");
    assert_eq!(
        scim_ok.status(),
        200,
        "a valid SCIM token from another address works"
    );
}

async fn a_destination_cannot_choose_the_site_or_loop_back_to_this_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app
        .person("maker@acme.example", golinks::domain::Role::Member)
        .await;
    let port = app.addr.port();
    let other_port = if port == 65535 { port - 1 } else { port + 1 };
    let cases = [
        ("placeholder host", "https://{1}/x".to_owned(), 422),
        (
            "placeholder in user info",
            "https://{1}@example.com/".to_owned(),
            422,
        ),
        (
            "this server's host:port",
            format!("http://127.0.0.1:{port}/elsewhere"),
            422,
        ),
        (
            "same host, other port",
            format!("http://127.0.0.1:{other_port}/x"),
            201,
        ),
        (
            "placeholder in the path",
            "https://example.com/{1}".to_owned(),
            201,
        ),
    ];
    for (n, (case, url, expected)) in cases.into_iter().enumerate() {
        let response = app
            .api(Method::POST, "/_/api/v1/links", &token)
            .json(&serde_json::json!({"name": format!("dest-{n}"), "url": url}))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), expected, "{case}: {url}");
    }
}

on_both_backends!(
    a_destination_cannot_choose_the_site_or_loop_back_to_this_server,
    the_sign_in_limit_counts_the_client_the_trusted_proxy_saw,
    forwarded_headers_from_an_untrusted_peer_are_ignored,
    made_up_cookies_and_tokens_are_refused_without_a_database_read,
    guessing_tokens_from_one_address_is_stopped_in_each_protocols_format,
);
