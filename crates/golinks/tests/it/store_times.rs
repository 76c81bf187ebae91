//! Times compare and sort as times in SQL, on both backends, and migration 0008 rewrites the
//! time text older versions wrote to SQLite (RFC 3339 of varying precision and offset) into
//! the one fixed form, so that old rows compare correctly too.

use golinks::domain::{Email, OrgId, Role, UserId};
use golinks::store::{LogEntry, LogQuery, Store, StoreError};
use sqlx::Connection;
use time::format_description::well_known::Rfc3339;
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

use crate::on_both_backends;
use crate::support::{Backend, TestDb};

/// A whole second: the old SQLite text for it, `…:05Z`, sorted after `…:05.2Z`.
const T: OffsetDateTime = datetime!(2030-01-31 09:00:05 UTC);

fn log_entry(at: OffsetDateTime, path: &str) -> LogEntry {
    LogEntry {
        at,
        token_id: None,
        token_name: None,
        method: "GET".into(),
        path: path.into(),
        user_id: None,
        user_name: None,
        status: 200,
        scim_type: None,
        detail: None,
        duration_ms: 1,
        summary: None,
        changes: None,
    }
}

/// The log entries' paths (which name their times) since `since`, newest first.
async fn logged_since(store: &Store, org: OrgId, since: Option<OffsetDateTime>) -> Vec<String> {
    let q = LogQuery {
        since,
        limit: 100,
        ..LogQuery::default()
    };
    let entries = store.provisioning_log(org, &q).await.expect("log");
    entries.into_iter().map(|e| e.path).collect()
}

/// The log's `since` filter and its order, over times in one second at different
/// sub-second precisions and a time given with a non-UTC offset.
async fn assert_log_times(store: &Store, org: OrgId) {
    let all = logged_since(store, org, None).await;
    assert_eq!(
        all,
        ["/t+0.5", "/t+0.123456", "/t", "/t-1h"],
        "newest first"
    );
    // T + 0.2 s, written at another offset.
    let since = (T + Duration::milliseconds(200)).to_offset(offset!(-5));
    assert_eq!(logged_since(store, org, Some(since)).await, ["/t+0.5"]);
    assert_eq!(
        logged_since(store, org, Some(T)).await,
        ["/t+0.5", "/t+0.123456", "/t"]
    );
}

async fn times_compare_as_times_in_sql(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    for (at, path) in [
        (T, "/t"),
        (T + Duration::milliseconds(500), "/t+0.5"),
        (T + Duration::microseconds(123_456), "/t+0.123456"),
        // An hour earlier, but two hours ahead in its offset: its old text was the latest.
        ((T - Duration::hours(1)).to_offset(offset!(+2)), "/t-1h"),
    ] {
        store
            .append_provisioning_log(org, &log_entry(at, path))
            .await
            .expect("log");
    }
    assert_log_times(&store, org).await;

    let email = Email::try_from("ada@acme.example").expect("email");
    let user = store
        .create_user(org, &email, None, Role::Member)
        .await
        .expect("user")
        .id;
    let now = OffsetDateTime::now_utc();
    // Expired half an hour ago, written at +02:00 (its text reads an hour and a half ahead).
    let expired = (now - Duration::minutes(30)).to_offset(offset!(+2));
    store
        .create_session(org, user, b"expired", expired, None)
        .await
        .expect("session");
    // Live for an hour, written at -05:00 (its text reads four hours behind).
    let live = (now + Duration::hours(1)).to_offset(offset!(-5));
    store
        .create_session(org, user, b"live", live, None)
        .await
        .expect("session");
    assert_sessions(&store, org, user).await;
}

async fn assert_sessions(store: &Store, org: OrgId, user: UserId) {
    assert!(matches!(
        store.find_session(b"expired").await,
        Err(StoreError::NotFound)
    ));
    let live = store.find_session(b"live").await.expect("live session");
    assert_eq!(live.user, user);
    let listed = store.list_sessions(org, user).await.expect("sessions");
    assert_eq!(listed.len(), 1, "only the live session: {listed:?}");
    assert_eq!(listed[0].id, live.id);
}

on_both_backends!(times_compare_as_times_in_sql);

/// Matches only the fixed form `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
const FIXED_FORM: &str = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z";

/// Applies the SQLite migrations before 0008, as a database of an older version has them.
async fn migrate_before_0008(conn: &mut sqlx::SqliteConnection) {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut migrations = Vec::new();
    for path in files {
        let name = path.file_stem().and_then(|n| n.to_str()).expect("name");
        let (version, description) = name.split_once('_').expect("NNNN_name");
        let version: i64 = version.parse().expect("version");
        if version >= 8 {
            continue;
        }
        let sql = std::fs::read_to_string(&path).expect("read");
        migrations.push(Migration::new(
            version,
            description.to_owned().into(),
            MigrationType::Simple,
            sqlx::AssertSqlSafe(sql).into_sql_str(),
            false,
        ));
    }
    Migrator::with_migrations(migrations)
        .run(&mut *conn)
        .await
        .expect("migrate to 0007");
}

/// Rows as older versions wrote them: RFC 3339 with as few fraction digits as needed, and
/// times at the offset they were given in.
async fn write_old_rows(conn: &mut sqlx::SqliteConnection) {
    let now = OffsetDateTime::now_utc();
    let old = |t: OffsetDateTime| t.format(&Rfc3339).expect("format");
    let org = uuid::Uuid::now_v7();
    let user = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO organizations (id, slug, name, is_default, created_at)
         VALUES ($1, 'default', 'Default', TRUE, $2)",
    )
    .bind(org)
    .bind(old(T))
    .execute(&mut *conn)
    .await
    .expect("organization row");
    sqlx::query(
        "INSERT INTO users (org_id, id, user_name, user_name_key, created_at, updated_at)
         VALUES ($1, $2, 'ada@acme.example', 'ada@acme.example', $3, $3)",
    )
    .bind(org)
    .bind(user)
    .bind(old(T + Duration::milliseconds(500)))
    .execute(&mut *conn)
    .await
    .expect("user row");
    for (at, path) in [
        (old(T), "/t"),
        (old(T + Duration::milliseconds(500)), "/t+0.5"),
        (old(T + Duration::microseconds(123_456)), "/t+0.123456"),
        (
            old((T - Duration::hours(1)).to_offset(offset!(+2))),
            "/t-1h",
        ),
    ] {
        sqlx::query(
            "INSERT INTO provisioning_log (org_id, id, at, method, path, status, duration_ms)
             VALUES ($1, $2, $3, 'GET', $4, 200, 1)",
        )
        .bind(org)
        .bind(uuid::Uuid::now_v7())
        .bind(at)
        .bind(path)
        .execute(&mut *conn)
        .await
        .expect("log row");
    }
    for (digest, expires_at) in [
        (
            "expired",
            (now - Duration::minutes(30)).to_offset(offset!(+2)),
        ),
        ("live", (now + Duration::hours(1)).to_offset(offset!(-5))),
    ] {
        sqlx::query(
            "INSERT INTO sessions (org_id, id, token_hash, user_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(org)
        .bind(uuid::Uuid::now_v7())
        .bind(digest.as_bytes())
        .bind(user)
        .bind(old(now))
        .bind(old(expires_at))
        .execute(&mut *conn)
        .await
        .expect("session row");
    }
}

/// Every time column (named `at` or `…_at`) of every table holds only the fixed form.
async fn assert_every_time_is_in_the_fixed_form(conn: &mut sqlx::SqliteConnection) {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND (c.name = 'at' OR c.name LIKE '%\\_at' ESCAPE '\\')",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("columns");
    assert!(columns.len() > 20, "{columns:?}");
    for (table, column) in columns {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL AND {column} NOT GLOB '{FIXED_FORM}'"
        );
        let odd: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await
            .expect("count");
        assert_eq!(odd, 0, "{table}.{column} holds times in another form");
    }
}

#[tokio::test]
async fn migration_0008_rewrites_old_time_text_so_that_it_compares_as_time() {
    let db = TestDb::create(Backend::Sqlite).await;
    let options: sqlx::sqlite::SqliteConnectOptions = db.url.parse().expect("url");
    let mut conn = sqlx::SqliteConnection::connect_with(&options.create_if_missing(true))
        .await
        .expect("connect");
    migrate_before_0008(&mut conn).await;
    write_old_rows(&mut conn).await;
    let _ = conn.close().await;

    let store = Store::open(&db.url).await.expect("open and migrate");
    store.check_ready().await.expect("every migration applied");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    assert_log_times(&store, org).await;
    assert!(matches!(
        store.find_session(b"expired").await,
        Err(StoreError::NotFound)
    ));
    assert!(store.find_session(b"live").await.is_ok());
    store.close().await;

    let mut conn = sqlx::SqliteConnection::connect(&db.url)
        .await
        .expect("connect");
    assert_every_time_is_in_the_fixed_form(&mut conn).await;
    let kept: String = sqlx::query_scalar("SELECT at FROM provisioning_log WHERE path = '/t-1h'")
        .fetch_one(&mut conn)
        .await
        .expect("row");
    assert_eq!(
        kept, "2030-01-31T08:00:05.000000Z",
        "the offset converted to UTC"
    );
    let _ = conn.close().await;
}
