//! Fresh databases for tests.

use std::path::PathBuf;

use sqlx::Connection;

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The server URL from `GOLINKS_TEST_POSTGRES_URL`; each test gets its own database on it.
    Postgres(String),
}

impl Backend {
    pub fn postgres() -> Option<Backend> {
        std::env::var("GOLINKS_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(Backend::Postgres)
    }
}

/// A database that exists for one test: a SQLite file in a temporary directory (removed with
/// it) or a PostgreSQL database (dropped on `Drop`).
pub struct TestDb {
    pub url: String,
    pub dir: Option<tempfile::TempDir>,
    pub(super) pg_admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("golinks.db").display());
                TestDb {
                    url,
                    dir: Some(dir),
                    pg_admin: None,
                }
            }
            Backend::Postgres(server) => {
                let name = format!("golinks_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&server)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let _ = conn.close().await;
                let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
                url.set_path(&name);
                let dir = tempfile::tempdir().ok();
                TestDb {
                    url: url.to_string(),
                    dir,
                    pg_admin: Some((server, name)),
                }
            }
        }
    }

    pub fn none() -> TestDb {
        TestDb {
            url: String::new(),
            dir: None,
            pg_admin: None,
        }
    }

    /// A scratch directory for files the test writes (import files, logs).
    pub fn scratch(&self) -> PathBuf {
        self.dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .expect("scratch dir")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.pg_admin.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&server).await.ok()?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join();
    }
}
