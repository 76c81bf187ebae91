//! PostgreSQL's change feed: a replica learns of another's writes from the notification,
//! not the poll. Each replica under test polls once an hour, so only the feed can deliver a
//! change within the (bounded) waits here.

use std::time::{Duration, Instant};

use golinks::domain::{OrgId, Role, Secret, TokenKind, UserId};
use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

use crate::support::{Backend, TestApp, location, patch_op};

/// The PostgreSQL server to test on, or `None` (the test says it is skipped).
fn postgres() -> Option<Backend> {
    let backend = Backend::postgres();
    if backend.is_none() {
        assert!(
            std::env::var_os("GOLINKS_REQUIRE_POSTGRES").is_none(),
            "GOLINKS_REQUIRE_POSTGRES is set but GOLINKS_TEST_POSTGRES_URL is not"
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: GOLINKS_TEST_POSTGRES_URL is not set (change_feed)"
        );
    }
    backend
}

/// Another server on `app`'s database that polls for changes once an hour.
async fn deaf_to_polls(app: &TestApp) -> TestApp {
    app.replica_configured(|c| c.sync_interval_ms = 3_600_000)
        .await
}

/// Waits (bounded) until `check` holds.
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Creates go/docs on A and waits until B redirects it.
async fn docs_reaches(a: &TestApp, b: &TestApp, token: &str) {
    a.create_link(
        token,
        json!({"name": "docs", "url": "https://docs.example/"}),
    )
    .await;
    within(
        Duration::from_secs(5),
        "B never resolved go/docs",
        || async { b.follow("/docs").await.as_deref() == Ok("https://docs.example/") },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_created_on_one_replica_resolves_on_another_without_a_poll() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::spawn(backend).await;
    let b = deaf_to_polls(&a).await;
    let (_, token) = a.person("ada@acme.example", Role::Member).await;
    assert_eq!(b.follow("/docs").await, Err(404));
    docs_reaches(&a, &b, &token).await;
    assert!(
        b.state.change_feed.last_applied_unix_ms().is_some(),
        "the feed records when it applied a change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_deactivated_on_one_replica_is_refused_on_another_without_a_poll() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::spawn(backend).await;
    let b = deaf_to_polls(&a).await;
    let scim = a.scim_token().await;
    let person = a
        .scim_create(&scim, crate::scim_users::user("ada@acme.example"))
        .await;
    let id = person["id"].as_str().expect("id");
    let org = a.default_org().await;
    let user = UserId::from_uuid(id.parse().expect("uuid"));
    let cookie = a.session_cookie(org, user).await;
    let token = api_token(&a, org, user).await;
    let by_cookie = || {
        b.get("/_/api/v1/links")
            .header("cookie", cookie.clone())
            .send()
    };
    let by_token = || b.api(Method::GET, "/_/api/v1/links", &token).send();
    // B knows (caches) both before the deactivation.
    assert_eq!(by_cookie().await.expect("send").status(), 200);
    assert_eq!(by_token().await.expect("send").status(), 200);
    let off = patch_op(json!([{"op": "replace", "value": {"active": false}}]));
    let (status, _) = a
        .scim_json(Method::PATCH, &format!("/Users/{id}"), &scim, Some(off))
        .await;
    assert_eq!(status, 200);
    within(
        Duration::from_secs(5),
        "B still accepts the session",
        || async { by_cookie().await.expect("send").status() == 401 },
    )
    .await;
    within(
        Duration::from_secs(5),
        "B still accepts the token",
        || async { by_token().await.expect("send").status() == 401 },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_membership_changed_on_one_replica_decides_on_another_without_a_poll_or_a_reload() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::spawn(backend).await;
    let b = deaf_to_polls(&a).await;
    let scim = a.scim_token().await;
    let (ada, ada_token) = a.person("ada@acme.example", Role::Member).await;
    let ops = crate::scim_groups::group(&a, &scim, "Ops", &[&ada.id.to_string()]).await;
    let ops_id = ops["id"].as_str().expect("id").to_owned();
    let url = "https://ops.acme.example/rb";
    a.create_link(
        &ada_token,
        json!({"name": "runbook", "url": url, "visible_to_group": ops_id}),
    )
    .await;
    let org = a.default_org().await;
    let cookie = a.session_cookie(org, ada.id).await;
    let on_b = || async {
        let response = b
            .get("/runbook")
            .header("cookie", cookie.clone())
            .send()
            .await
            .expect("send");
        location(&response)
    };
    within(Duration::from_secs(5), "B never let Ada follow", || async {
        on_b().await.as_deref() == Some(url)
    })
    .await;
    let held = || {
        let links = b.state.index.links();
        std::sync::Arc::clone(
            links
                .get(&org)
                .expect("org")
                .shared("runbook")
                .expect("held"),
        )
    };
    let before = held();

    // Removed on A: B's cached session loses the link, without a poll.
    a.set_member(&scim, &ops_id, ada.id, false).await;
    within(
        Duration::from_secs(5),
        "B still lets Ada follow",
        || async { on_b().await.is_none() },
    )
    .await;
    // Added back on A: she follows it on B again.
    a.set_member(&scim, &ops_id, ada.id, true).await;
    within(
        Duration::from_secs(5),
        "B never let Ada follow again",
        || async { on_b().await.as_deref() == Some(url) },
    )
    .await;
    assert!(
        std::sync::Arc::ptr_eq(&before, &held()),
        "a membership change does not reload B's link index"
    );

    // A link written after those membership changes still reaches B at once: counting them
    // apart never hides a change to the links.
    docs_reaches(&a, &b, &ada_token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scim_token_revoked_on_one_replica_is_refused_on_another_without_a_poll() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::spawn(backend).await;
    let b = deaf_to_polls(&a).await;
    let scim = a.scim_token().await;
    // B remembers the token after its first request.
    for _ in 0..2 {
        assert_eq!(b.scim_json(Method::GET, "/Users", &scim, None).await.0, 200);
    }
    let org = a.default_org().await;
    a.state
        .store
        .revoke_scim_tokens(org, "test-idp")
        .await
        .expect("revoke");
    within(
        Duration::from_secs(5),
        "B still accepts the revoked SCIM token",
        || async { b.scim_json(Method::GET, "/Users", &scim, None).await.0 == 401 },
    )
    .await;
}

async fn api_token(app: &TestApp, org: OrgId, user: UserId) -> String {
    let secret = Secret::generate(TokenKind::Api);
    app.state
        .store
        .create_api_token(org, user, "test", &secret.digest())
        .await
        .expect("token");
    secret.reveal().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_whose_connection_is_killed_reconnects_and_catches_up() {
    let Some(Backend::Postgres(server)) = postgres() else {
        return;
    };
    let a = TestApp::spawn(Backend::Postgres(server.clone())).await;
    let b = deaf_to_polls(&a).await;
    let (_, token) = a.person("ada@acme.example", Role::Member).await;
    warm(&a).await;
    warm(&b).await;
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("connect");
    let database = a.db.url.rsplit('/').next().expect("name").to_owned();
    // Down and kept down: no new connection to the database (superusers included) until the
    // change is made, so that only the catch-up after reconnecting can deliver it. The
    // servers' pools keep the connections they have.
    sql(
        &mut admin,
        &format!("ALTER DATABASE {database} ALLOW_CONNECTIONS false"),
    )
    .await;
    let feeds = format!(
        "FROM pg_stat_activity WHERE datname = '{database}' AND application_name = '{}'",
        golinks::store::CHANGE_FEED_APPLICATION_NAME
    );
    sql(
        &mut admin,
        &format!("SELECT pg_terminate_backend(pid) {feeds}"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let count = format!("SELECT COUNT(*) {feeds}");
        let up: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .fetch_one(&mut admin)
            .await
            .expect("count");
        if up == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the feeds are still up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A's pool keeps the connections it has, but one may be busy (its start-up statistics
    // refresh, a click flush) and a new one is refused: a failed write changed nothing, so
    // it is sent again until a connection is free (409: an earlier try wrote it, then failed
    // to reload A's own index).
    within(
        Duration::from_secs(10),
        "A never wrote the link",
        || async {
            let response = a
                .api(Method::POST, "/_/api/v1/links", &token)
                .json(&json!({"name": "docs", "url": "https://docs.example/"}))
                .send()
                .await
                .expect("send");
            matches!(response.status().as_u16(), 201 | 409)
        },
    )
    .await;
    assert_eq!(
        b.follow("/docs").await,
        Err(404),
        "B cannot know yet: its feed is down and its poll an hour away"
    );
    sql(
        &mut admin,
        &format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"),
    )
    .await;
    within(Duration::from_secs(10), "B never caught up", || async {
        b.follow("/docs").await.as_deref() == Ok("https://docs.example/")
    })
    .await;
    assert!(b.state.change_feed.catch_ups() >= 1);
    // Listening again: a later change arrives by notification.
    a.create_link(
        &token,
        json!({"name": "wiki", "url": "https://wiki.example/"}),
    )
    .await;
    within(
        Duration::from_secs(5),
        "B missed the change after",
        || async { b.follow("/wiki").await.as_deref() == Ok("https://wiki.example/") },
    )
    .await;
}

/// Opens a few connections in the server's pool, which it keeps while new ones are refused.
async fn warm(app: &TestApp) {
    let store = &app.state.store;
    let (one, two, three, four) = tokio::join!(
        store.change_seqs(),
        store.change_seqs(),
        store.change_seqs(),
        store.change_seqs()
    );
    for seqs in [one, two, three, four] {
        seqs.expect("seqs");
    }
}

async fn sql(conn: &mut sqlx::PgConnection, statement: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(conn)
        .await
        .expect(statement);
}
