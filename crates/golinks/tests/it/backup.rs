//! `golinks backup` while the server takes writes, and `golinks restore` of that backup: every
//! link acknowledged before the backup began is there, and the backup is one moment of the
//! database (the links it holds are exactly the first ones acknowledged). SQLite only;
//! PostgreSQL backups are pg_dump's job, which the command says.

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use golinks::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, TestDb};

fn golinks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run golinks")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn names_in(url: &str) -> Vec<String> {
    let out = golinks(&["links", "export", "--database-url", url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export: Value = serde_json::from_slice(&out.stdout).expect("export json");
    export["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Creates links one after another through the API until told to stop; returns each
/// acknowledged (201) name with the moment its answer arrived.
fn writer(
    app: &TestApp,
    token: String,
    stop: Arc<Mutex<bool>>,
) -> tokio::task::JoinHandle<Vec<(String, Instant)>> {
    let client = app.client.clone();
    let url = app.url("/_/api/v1/links");
    tokio::spawn(async move {
        let mut acked = Vec::new();
        for n in 0.. {
            if *stop.lock().expect("lock") {
                break;
            }
            let name = format!("w{n:05}");
            let response = client
                .request(Method::POST, &url)
                .bearer_auth(&token)
                .json(&json!({"name": name, "url": format!("https://wiki.example/{n}")}))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), 201);
            acked.push((name, Instant::now()));
        }
        acked
    })
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_link() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    let stop = Arc::new(Mutex::new(false));
    let writes = writer(&app, token, stop.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;

    let file = app.db.scratch().join("backup.db");
    let url = app.db.url.clone();
    let output = file.to_str().expect("path").to_owned();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        golinks(&["backup", "--database-url", &url, "--output", &output])
    })
    .await
    .expect("join");
    let finished = Instant::now();
    assert!(out.status.success(), "{}", stderr(&out));
    tokio::time::sleep(Duration::from_millis(300)).await;
    *stop.lock().expect("lock") = true;
    let acked = writes.await.expect("writer");
    let before = acked.iter().filter(|(_, at)| *at < started).count();
    let after = acked.iter().filter(|(_, at)| *at > finished).count();
    assert!(
        before > 0 && after > 0,
        "writes went on around the backup: {before} before, {after} after"
    );

    let restored = TestDb::create(Backend::Sqlite).await;
    let input = file.to_str().expect("path");
    let out = golinks(&["restore", "--database-url", &restored.url, "--input", input]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names = names_in(&restored.url);
    names.sort();
    assert!(
        names.len() >= before,
        "{} restored, {before} acknowledged before the backup",
        names.len()
    );
    let first: Vec<String> = acked
        .iter()
        .take(names.len())
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(
        names, first,
        "the backup is one moment: the first links acknowledged, no gap"
    );

    let server = TestApp::spawn_on(restored).await;
    let (last, _) = &acked[before - 1];
    let response = server
        .browse(&format!("/{last}"))
        .await
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 302, "the restored database serves");
}

#[tokio::test]
async fn restore_refuses_to_overwrite_a_database_or_to_use_a_file_that_is_not_a_backup() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://docs.example/"}),
    )
    .await;
    let dir = app.db.scratch();
    let backup = dir.join("b.db");
    let backup = backup.to_str().expect("path");
    let out = golinks(&["backup", "--database-url", &app.db.url, "--output", backup]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = golinks(&["backup", "--database-url", &app.db.url, "--output", backup]);
    assert!(
        !again.status.success() && stderr(&again).contains("exists"),
        "{}",
        stderr(&again)
    );

    let out = golinks(&["restore", "--database-url", &app.db.url, "--input", backup]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));

    let junk = dir.join("junk.db");
    std::fs::write(&junk, "not a database at all, just some text").expect("write");
    let target = dir.join("new.db");
    let target_url = format!("sqlite://{}", target.display());
    let out = golinks(&[
        "restore",
        "--database-url",
        &target_url,
        "--input",
        junk.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(!target.exists(), "nothing written from a bad file");

    let out = golinks(&[
        "backup",
        "--database-url",
        "postgres://golinks@127.0.0.1/golinks",
        "--output",
        dir.join("pg.dump").to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
}

/// The PostgreSQL backup of docs/deploy.md, as written there: `pg_dump --format=custom`,
/// then `pg_restore --no-owner` into an empty database, which golinks then serves.
#[tokio::test]
async fn a_pg_dump_restores_into_an_empty_database_as_docs_deploy_says() {
    let Some(backend) = Backend::postgres() else {
        eprintln!("skipped: GOLINKS_TEST_POSTGRES_URL is not set");
        return;
    };
    let app = TestApp::spawn(backend.clone()).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": "docs", "url": "https://docs.example/"}),
    )
    .await;
    let dump = app.db.scratch().join("golinks.dump");
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&app.db.url)
        .output()
        .expect("pg_dump (Debian package postgresql-client)");
    assert!(dumped.status.success(), "{}", stderr(&dumped));

    let target = TestDb::create(backend).await;
    let restored = Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", &target.url])
        .arg(&dump)
        .output()
        .expect("pg_restore");
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(names_in(&target.url), vec!["docs".to_owned()]);
    let server = TestApp::spawn_on(target).await;
    let response = server.browse("/docs").await.send().await.expect("send");
    assert_eq!(response.status(), 302);
}
