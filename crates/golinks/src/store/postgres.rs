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
        10,
        "SCIM groups",
        include_str!("../../migrations/postgres/0010_groups.sql"),
    ),
    (
        12,
        "links owned by a team, visible to a group",
        include_str!("../../migrations/postgres/0012_team_links.sql"),
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
