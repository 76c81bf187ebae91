//! SQLite setup: WAL so readers never wait for the writer, a busy timeout so a second
//! process (the CLI while the server runs) waits instead of failing, foreign keys on.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "provisioning log",
        include_str!("../../migrations/sqlite/0002_provisioning_log.sql"),
    ),
    (
        3,
        "sessions",
        include_str!("../../migrations/sqlite/0003_sessions.sql"),
    ),
    (
        4,
        "single sign-on",
        include_str!("../../migrations/sqlite/0004_sso.sql"),
    ),
    (
        5,
        "SAML requests bound to the browser",
        include_str!("../../migrations/sqlite/0005_saml_browser.sql"),
    ),
    (
        6,
        "organization base URL",
        include_str!("../../migrations/sqlite/0006_org_base_url.sql"),
    ),
    (
        8,
        "one fixed text form for every time",
        include_str!("../../migrations/sqlite/0008_fixed_time_text.sql"),
    ),
    (
        9,
        "users_live covers deleted_at",
        include_str!("../../migrations/sqlite/0009_users_live_covering.sql"),
    ),
    (
        10,
        "SCIM groups",
        include_str!("../../migrations/sqlite/0010_groups.sql"),
    ),
    (
        11,
        "a count of live people kept by triggers",
        include_str!("../../migrations/sqlite/0011_live_people_count.sql"),
    ),
    (
        12,
        "links owned by a team, visible to a group",
        include_str!("../../migrations/sqlite/0012_team_links.sql"),
    ),
    (
        13,
        "roles from groups",
        include_str!("../../migrations/sqlite/0013_group_roles.sql"),
    ),
    (
        14,
        "provisioning log summaries",
        include_str!("../../migrations/sqlite/0014_provisioning_summary.sql"),
    ),
    (
        16,
        "membership changes apart from link changes",
        include_str!("../../migrations/sqlite/0016_session_bumps.sql"),
    ),
    (
        17,
        "unique people per link and day kept by a trigger",
        include_str!("../../migrations/sqlite/0017_click_people_count.sql"),
    ),
];

pub(super) async fn open(url: &str) -> anyhow::Result<(SqlitePool, SqlitePool)> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid SQLite URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let path = options.get_filename().display().to_string();
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(super::CONNECT_TIMEOUT)
        .connect_with(options.clone())
        .await
        .with_context(|| {
            format!("cannot open the SQLite database {path:?} (is the directory writable?)")
        })?;
    super::migrator(MIGRATIONS)
        .run(&write)
        .await
        .with_context(|| format!("cannot apply migrations to {path:?}"))?;
    // First look at the statistics, as SQLite recommends when a long-lived connection opens.
    sqlx::query("PRAGMA optimize=0x10002")
        .execute(&write)
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(super::CONNECT_TIMEOUT)
        .connect_with(options.read_only(true))
        .await
        .with_context(|| format!("cannot open the SQLite database {path:?} for reading"))?;
    Ok((read, write))
}
