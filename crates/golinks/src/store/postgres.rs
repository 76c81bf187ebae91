//! PostgreSQL setup. Several replicas may share one database; migrations take sqlx's
//! advisory lock so that replicas starting together apply them once.

use std::str::FromStr;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "provisioning log",
        include_str!("../../migrations/postgres/0002_provisioning_log.sql"),
    ),
    (
        3,
        "sessions",
        include_str!("../../migrations/postgres/0003_sessions.sql"),
    ),
    (
        4,
        "single sign-on",
        include_str!("../../migrations/postgres/0004_sso.sql"),
    ),
    (
        5,
        "SAML requests bound to the browser",
        include_str!("../../migrations/postgres/0005_saml_browser.sql"),
    ),
    (
        6,
        "organization base URL",
        include_str!("../../migrations/postgres/0006_org_base_url.sql"),
    ),
    (
        7,
        "change feed",
        include_str!("../../migrations/postgres/0007_change_feed.sql"),
    ),
    (
        9,
        "users_live covers deleted_at",
        include_str!("../../migrations/postgres/0009_users_live_covering.sql"),
    ),
    (
        10,
        "SCIM groups",
        include_str!("../../migrations/postgres/0010_groups.sql"),
    ),
    (
        11,
        "a count of live people kept by triggers",
        include_str!("../../migrations/postgres/0011_live_people_count.sql"),
    ),
    (
        12,
        "links owned by a team, visible to a group",
        include_str!("../../migrations/postgres/0012_team_links.sql"),
    ),
    (
        13,
        "roles from groups",
        include_str!("../../migrations/postgres/0013_group_roles.sql"),
    ),
    (
        14,
        "provisioning log summaries",
        include_str!("../../migrations/postgres/0014_provisioning_summary.sql"),
    ),
    (
        16,
        "membership changes apart from link changes",
        include_str!("../../migrations/postgres/0016_session_bumps.sql"),
    ),
    (
        17,
        "unique people per link and day kept by a trigger",
        include_str!("../../migrations/postgres/0017_click_people_count.sql"),
    ),
];

pub(super) async fn open(url: &str) -> anyhow::Result<PgPool> {
    let shown = super::redact_url(url);
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("invalid PostgreSQL URL {shown:?}"))?
        .application_name("golinks");
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(super::CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {shown:?}"))?;
    super::migrator(MIGRATIONS)
        .run(&pool)
        .await
        .with_context(|| format!("cannot apply migrations to {shown:?}"))?;
    Ok(pool)
}

/// `VACUUM (ANALYZE)`s this schema's tables changed by more than autovacuum's default
/// threshold since their last analysis (50 rows + 10%, PostgreSQL's `autovacuum_analyze_*`
/// defaults), or never analyzed while holding rows: the statistics keep look-ups on their
/// indexes, and the visibility map lets `totalResults` and deep pages be index-only scans
/// instead of reading every row. Cheap when nothing changed: one catalog query.
pub(super) async fn analyze_changed(pool: &PgPool) -> Result<(), sqlx::Error> {
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables
         WHERE schemaname = current_schema()
           AND (n_mod_since_analyze > 50 + 0.1 * n_live_tup
                OR (last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0))",
    )
    .fetch_all(pool)
    .await?;
    for table in stale {
        // The name comes quoted from format('%I.%I'), not from any client.
        sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
            .execute(pool)
            .await?;
    }
    Ok(())
}
