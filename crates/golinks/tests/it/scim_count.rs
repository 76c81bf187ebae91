//! The count of live people the `users` triggers keep (migration 0011), which an unfiltered
//! SCIM list answers `totalResults` from: after creates through SCIM and the CLI's path,
//! tombstones, a hard delete, a database migrated from before the count, and an
//! organization's deletion, it equals `COUNT(*)` of the people not deleted.

use golinks::domain::Role;
use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

/// Runs the statements on the app's database, then `query` (one integer) if given.
async fn sql(app: &TestApp, statements: &[&str], query: Option<&str>) -> i64 {
    macro_rules! run {
        ($conn:expr) => {{
            for s in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string()))
                    .execute(&mut $conn)
                    .await
                    .expect(s);
            }
            match query {
                Some(q) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(q.to_string()))
                    .fetch_one(&mut $conn)
                    .await
                    .expect(q),
                None => 0,
            }
        }};
    }
    if app.db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.db.url)
            .await
            .expect("connect");
        run!(c)
    } else {
        let mut c = sqlx::PgConnection::connect(&app.db.url)
            .await
            .expect("connect");
        run!(c)
    }
}

const LIVE: &str = "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL";
const KEPT: &str = "SELECT CAST(COALESCE(SUM(live), 0) AS BIGINT) FROM live_people_counts";

/// `totalResults` of an unfiltered list, the triggers' count, and COUNT(*), which must agree.
async fn counts(app: &TestApp, token: &str) -> (i64, i64, i64) {
    let (status, list) = app
        .scim_json(Method::GET, "/Users?count=1", token, None)
        .await;
    assert_eq!(status, 200, "{list}");
    let total = list["totalResults"].as_i64().expect("totalResults");
    (
        total,
        sql(app, &[], Some(KEPT)).await,
        sql(app, &[], Some(LIVE)).await,
    )
}

async fn the_kept_count_follows_every_write_to_people(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let mut ids = Vec::new();
    for n in 0..6 {
        let created = app
            .scim_create(
                &token,
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": format!("p{n}@acme.example"),
                    "emails": [{"value": format!("p{n}@acme.example"), "primary": true}],
                }),
            )
            .await;
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    // The path the CLI and SAML sign-in take (store::users), not SCIM's.
    app.person("cli@acme.example", Role::Member).await;
    assert_eq!(counts(&app, &token).await, (7, 7, 7));

    for id in &ids[..2] {
        let (status, _) = app
            .scim_json(Method::DELETE, &format!("/Users/{id}"), &token, None)
            .await;
        assert_eq!(status, 204);
    }
    assert_eq!(counts(&app, &token).await, (5, 5, 5));

    // A filtered list still counts what matches.
    let (_, found) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20sw%20%22p%22",
            &token,
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 4);

    // A hard delete of a live person and of a tombstone (no path does it today but SQL).
    let hard = "DELETE FROM users WHERE user_name IN ('p2@acme.example', 'p0@acme.example')";
    sql(&app, &[hard], None).await;
    assert_eq!(counts(&app, &token).await, (4, 4, 4));

    // A tombstone brought back to life by SQL counts again.
    sql(
        &app,
        &["UPDATE users SET deleted_at = NULL WHERE user_name = 'p1@acme.example'"],
        None,
    )
    .await;
    assert_eq!(counts(&app, &token).await, (5, 5, 5));
}

async fn a_database_from_before_the_count_starts_it_from_its_people(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    for n in 0..40 {
        app.scim_create(
            &token,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("q{n}@acme.example"),
            }),
        )
        .await;
    }
    let (_, first) = app
        .scim_json(Method::GET, "/Users?count=1", &token, None)
        .await;
    let id = first["Resources"][0]["id"].as_str().expect("id").to_owned();
    app.scim_json(Method::DELETE, &format!("/Users/{id}"), &token, None)
        .await;
    let db = app.shut_down().await;
    // Back to the schema before migration 0011, with the people of now.
    let before_0011: &[&str] = if db.url.starts_with("sqlite:") {
        &[
            "DROP TRIGGER live_people_insert",
            "DROP TRIGGER live_people_revive",
            "DROP TRIGGER live_people_tombstone",
            "DROP TRIGGER live_people_delete",
            "DROP TABLE live_people_counts",
            "DELETE FROM _sqlx_migrations WHERE version = 11",
        ]
    } else {
        &[
            "DROP TABLE live_people_counts",
            "DROP TRIGGER live_people_insert ON users",
            "DROP TRIGGER live_people_update ON users",
            "DROP TRIGGER live_people_delete ON users",
            "DROP FUNCTION live_people_count",
            "DELETE FROM _sqlx_migrations WHERE version = 11",
        ]
    };
    let app = TestApp::spawn_on(db).await;
    sql(&app, before_0011, None).await;
    let db = app.shut_down().await;
    let app = TestApp::spawn_on(db).await;
    assert_eq!(counts(&app, &token).await, (39, 39, 39));
    if !app.db.url.starts_with("sqlite:") {
        // Spread over the shards a later decrement looks in.
        let rows = sql(&app, &[], Some("SELECT COUNT(*) FROM live_people_counts")).await;
        assert!(rows > 1, "{rows} counter rows");
    }
}

async fn deleting_an_organization_takes_its_count_with_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let other = app
        .state
        .store
        .create_org("beta", "Beta", &["beta.example".to_owned()])
        .await
        .expect("org");
    let email = golinks::domain::Email::try_from("b@beta.example").expect("email");
    app.state
        .store
        .create_user(other, &email, None, Role::Member)
        .await
        .expect("user");
    assert_eq!(
        app.state.store.count_live_people(other).await.expect("n"),
        1
    );
    sql(
        &app,
        &["DELETE FROM organizations WHERE slug = 'beta'"],
        None,
    )
    .await;
    assert_eq!(sql(&app, &[], Some(KEPT)).await, 0);
    assert_eq!(
        app.state.store.count_live_people(other).await.expect("n"),
        0
    );
}

async fn provision(app: &TestApp, token: &str, names: std::ops::Range<u32>) {
    for n in names {
        app.scim_create(
            token,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("r{n}@acme.example"),
            }),
        )
        .await;
    }
}

fn run(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .expect(program);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `golinks restore` (SQLite) and `pg_restore` (PostgreSQL, as docs/deploy.md says) bring
/// back the count of the backup's moment, not of the database they replace.
async fn a_restored_backup_has_the_count_of_its_people(backend: Backend) {
    let app = TestApp::spawn(backend.clone()).await;
    let token = app.scim_token().await;
    provision(&app, &token, 0..5).await;
    let backup = app.db.scratch().join("backup");
    let backup = backup.to_str().expect("path").to_owned();
    let sqlite = app.db.url.starts_with("sqlite:");
    if sqlite {
        let out = ["backup", "--database-url", &app.db.url, "--output", &backup];
        run(env!("CARGO_BIN_EXE_golinks"), &out);
    } else {
        run(
            "pg_dump",
            &["--format=custom", "--file", &backup, &app.db.url],
        );
    }
    provision(&app, &token, 5..9).await;
    assert_eq!(counts(&app, &token).await, (9, 9, 9));
    let db = app.shut_down().await;
    let db = if sqlite {
        let args = [
            "restore",
            "--force",
            "--database-url",
            &db.url,
            "--input",
            &backup,
        ];
        run(env!("CARGO_BIN_EXE_golinks"), &args);
        db
    } else {
        let target = crate::support::TestDb::create(backend).await;
        let args = [
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &target.url,
            &backup,
        ];
        run("pg_restore", &args);
        target
    };
    let app = TestApp::spawn_on(db).await;
    assert_eq!(counts(&app, &token).await, (5, 5, 5));
    provision(&app, &token, 9..11).await;
    assert_eq!(
        counts(&app, &token).await,
        (7, 7, 7),
        "the triggers came back too"
    );
}

on_both_backends!(
    the_kept_count_follows_every_write_to_people,
    a_database_from_before_the_count_starts_it_from_its_people,
    deleting_an_organization_takes_its_count_with_it,
    a_restored_backup_has_the_count_of_its_people,
);
