//! `golinks backup` and `golinks restore` for SQLite.
//!
//! A backup is `VACUUM INTO`: SQLite writes a consistent snapshot of the database into a new
//! file while other connections (the running server) keep reading and writing; in WAL mode
//! the writer is not blocked (<https://sqlite.org/lang_vacuum.html#vacuuminto>). The snapshot
//! is written next to the output under a temporary name and renamed into place, so a file at
//! `--output` is always a whole backup. PostgreSQL has pg_dump for this.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::{BackupArgs, RestoreArgs};
use crate::store::{Store, redact_url};

pub async fn backup(args: &BackupArgs) -> anyhow::Result<()> {
    let url = &args.db.database_url;
    let source = sqlite_path(url, "back up", "pg_dump --format=custom --file=FILE URL")?;
    if !source.exists() {
        bail!("no SQLite database at {}", source.display());
    }
    if args.output.exists() {
        bail!("{} exists; choose a new file", args.output.display());
    }
    let partial = sibling(&args.output, "partial");
    let _ = std::fs::remove_file(&partial);
    let mut conn = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", source.display()))?;
    let into = partial
        .to_str()
        .with_context(|| format!("{} is not UTF-8", partial.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(into)
        .execute(&mut conn)
        .await
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let links = count_links(&args.output).await?;
    println!(
        "Backed up {} to {} ({links} link(s))",
        source.display(),
        args.output.display()
    );
    Ok(())
}

/// Puts a backup in place of the database: checked first (a SQLite file that passes
/// `PRAGMA integrity_check` and has golinks' tables), copied beside the database, then
/// renamed over it, with the old database's WAL files removed so SQLite does not replay them
/// onto the restored file. The server must be stopped: it would keep its open database.
pub async fn restore(args: &RestoreArgs) -> anyhow::Result<()> {
    let url = &args.db.database_url;
    let target = sqlite_path(url, "restore", "pg_restore --clean --dbname=URL FILE")?;
    check_backup(&args.input).await?;
    if target.exists() && !args.force {
        bail!(
            "{} exists; stop the server and add --force to replace it",
            target.display()
        );
    }
    let incoming = sibling(&target, "restoring");
    std::fs::copy(&args.input, &incoming)
        .with_context(|| format!("cannot write {}", incoming.display()))?;
    std::fs::File::open(&incoming)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {side:?}"));
            }
            _ => {}
        }
    }
    std::fs::rename(&incoming, &target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    // Opening applies the migrations a newer golinks has over the backup's.
    Store::open(url).await?;
    let links = count_links(&target).await?;
    println!(
        "Restored {} from {} ({links} link(s)); start the server again",
        target.display(),
        args.input.display()
    );
    Ok(())
}

fn sqlite_path(url: &str, verb: &str, postgres_way: &str) -> anyhow::Result<PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!(
            "golinks does not {verb} PostgreSQL itself: use {postgres_way} \
             (see docs/deploy.md, \"Backups\")"
        );
    }
    if !url.starts_with("sqlite:") {
        bail!("unsupported database URL {:?}", redact_url(url));
    }
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid SQLite URL {url:?}"))?;
    Ok(options.get_filename().to_path_buf())
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{tag}-{}", std::process::id()));
    path.with_file_name(name)
}

async fn check_backup(file: &Path) -> anyhow::Result<()> {
    let mut conn = read_only(file).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if verdict != "ok" {
        bail!("{} is damaged: {verdict}", file.display());
    }
    count_links(file).await.map(|_| ())
}

async fn count_links(file: &Path) -> anyhow::Result<i64> {
    let mut conn = read_only(file).await?;
    sqlx::query_scalar("SELECT count(*) FROM links")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a golinks database", file.display()))
}

async fn read_only(file: &Path) -> anyhow::Result<sqlx::SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", file.display()))
}
