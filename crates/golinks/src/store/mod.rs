//! Persistence: one [`Store`] over SQLite or PostgreSQL.
//!
//! Both backends run the same SQL wherever the dialects agree (`$N` parameters, `ON CONFLICT`,
//! `RETURNING`), so each method is written once and compiled for each pool by [`on_pool!`];
//! the dialect-specific parts (connection setup, migrations) live in `sqlite.rs` and
//! `postgres.rs`. Every method takes the organization first: no query reaches another
//! organization's rows.

mod change_feed;
mod clicks;
mod group_directory;
mod group_predicate;
mod group_refs;
pub(crate) mod group_roles;
mod like;
mod link_reads;
mod link_sql;
mod links;
pub(crate) mod orgs;
mod people;
mod postgres;
mod provisioning_changes;
mod provisioning_log;
mod provisioning_overview;
mod rows;
mod scim_groups;
mod scim_users;
mod sessions;
mod sqlite;
mod sso;
mod timestamp;
pub mod tokens;
mod user_predicate;
mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{PgPool, SqlitePool};

pub use change_feed::{
    APPLICATION_NAME as CHANGE_FEED_APPLICATION_NAME, Change, ChangeListener, Heard,
};
pub use clicks::ClickBatch;
pub use group_directory::GroupSummary;
pub use group_predicate::{GroupOrder, GroupPredicate, TextMatch};
pub use group_roles::{GroupGrant, RoleGroups};
pub use link_reads::{HistoryEntry, LinkQuery};
pub use links::{ImportReport, LinkDraft};
pub use orgs::OrgSeq;
pub use people::Person;
pub use provisioning_changes::NameParts;
pub use provisioning_log::{LogEntry, LogQuery, parse_since};
pub use provisioning_overview::TokenActivity;
pub use rows::*;
pub use scim_groups::{
    GroupColumns, GroupMember, GroupPageQuery, GroupRecord, GroupWrite, MemberChange, MemberDelta,
    UserGroup,
};
pub use scim_users::{UserColumns, UserOrder, UserPageQuery, UserRecord, now_ms};
pub use sessions::{SessionInfo, SessionRecord};
pub use sso::SamlAcceptance;
pub use timestamp::Timestamp;
pub use user_predicate::{UserColumn, UserPredicate};

/// Runs `$body` with `$p` bound to the concrete pool of the backend in use.
macro_rules! on_pool {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($p) => $body,
            $crate::store::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{what}")]
    Conflict { what: String },
    /// A group member that is not a person of the organization (nothing was written).
    #[error("no person {0} in this organization")]
    UnknownMember(uuid::Uuid),
    #[error(transparent)]
    Other(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Maps a unique-key violation to [`StoreError::Conflict`]; the one place that does.
pub(crate) trait ResultExt<T> {
    fn on_unique(self, what: impl FnOnce() -> String) -> StoreResult<T>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_unique(self, what: impl FnOnce() -> String) -> StoreResult<T> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { what: what() }
            }
            _ => StoreError::Other(e),
        })
    }
}

#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Writes to people since start-up, for `optimize`'s caller: a bulk load wants fresh
    /// planner statistics soon, not at the next minute.
    people_writes: Arc<AtomicU64>,
    /// SCIM token revocations made through this store (its clones included): a token cache
    /// compares it, so this process refuses a revoked token from the next request on.
    scim_token_revocations: Arc<AtomicU64>,
}

#[derive(Clone)]
enum Backend {
    /// SQLite allows one writer at a time: one connection writes, a pool reads (WAL).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

#[derive(Clone, Copy)]
pub(crate) enum Db<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`, applies the
    /// migrations and makes sure the default organization exists.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let backend = if url.starts_with("sqlite:") {
            let (read, write) = sqlite::open(url).await?;
            Backend::Sqlite { read, write }
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::open(url).await?)
        } else {
            anyhow::bail!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://USER@HOST/DB",
                redact_url(url)
            );
        };
        let store = Self {
            backend,
            people_writes: Arc::default(),
            scim_token_revocations: Arc::default(),
        };
        store.ensure_default_org().await?;
        Ok(store)
    }

    /// How many people were created, changed or deleted through this store since it opened.
    pub fn scim_token_revocations(&self) -> u64 {
        self.scim_token_revocations.load(Ordering::Relaxed)
    }

    pub fn people_writes(&self) -> u64 {
        self.people_writes.load(Ordering::Relaxed)
    }

    fn note_people_write(&self) {
        self.people_writes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn read(&self) -> Db<'_> {
        match &self.backend {
            Backend::Sqlite { read, .. } => Db::Sqlite(read),
            Backend::Postgres(pool) => Db::Postgres(pool),
        }
    }

    pub(crate) fn write(&self) -> Db<'_> {
        match &self.backend {
            Backend::Sqlite { write, .. } => Db::Sqlite(write),
            Backend::Postgres(pool) => Db::Postgres(pool),
        }
    }

    /// For `/readyz`: the database answers and every migration is applied.
    pub async fn check_ready(&self) -> anyhow::Result<()> {
        let expected = match self.backend {
            Backend::Sqlite { .. } => sqlite::MIGRATIONS.len(),
            Backend::Postgres(_) => postgres::MIGRATIONS.len(),
        };
        let applied: i64 = on_pool!(self.read(), |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(p)
                .await?
        });
        anyhow::ensure!(
            usize::try_from(applied).unwrap_or(0) >= expected,
            "{applied} of {expected} migrations applied"
        );
        Ok(())
    }

    /// Keeps the query planner's statistics current, so that it picks e.g. the `externalId`
    /// index over a scan in id order once the directory grows. SQLite: `PRAGMA optimize`
    /// analyzes only the tables never analyzed or whose size changed a lot. PostgreSQL:
    /// autovacuum does this, but it may be off (it is on the benchmark machine, where every
    /// SCIM look-up then scanned the whole users table); so the tables autovacuum would
    /// analyze, by its default rule, are vacuumed and analyzed here.
    pub async fn optimize(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                // 0x10000: every table, not only those this (writing) connection queried; the
                // analysis limit keeps each run to milliseconds.
                sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
                    .execute(write)
                    .await?;
            }
            Backend::Postgres(pool) => postgres::analyze_changed(pool).await?,
        }
        Ok(())
    }

    /// Each connection pool's size and idle connections, for the metrics.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let stats = |name, size: u32, idle: usize| PoolStats {
            name,
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        };
        match &self.backend {
            Backend::Sqlite { read, write } => vec![
                stats("sqlite_read", read.size(), read.num_idle()),
                stats("sqlite_write", write.size(), write.num_idle()),
            ],
            Backend::Postgres(pool) => vec![stats("postgres", pool.size(), pool.num_idle())],
        }
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write } => {
                write.close().await;
                read.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// One connection pool's connections: open (`size`), of which `idle`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
}

pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A database URL fit for logs: the password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Builds a `sqlx::migrate::Migrator` from migrations embedded in the binary.
fn migrator(files: &[(i64, &'static str, &'static str)]) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migrations = files
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db.example/golinks"),
            "postgres://app:***@db.example/golinks"
        );
        assert_eq!(redact_url("sqlite://golinks.db"), "sqlite://golinks.db");
    }
}
