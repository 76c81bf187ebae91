//! The `golinks` binary: admin commands, import while the server runs, start-up errors,
//! SIGTERM.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use golinks::domain::Role;
use reqwest::Method;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb};

pub fn golinks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run golinks")
}

fn last_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn scim_tokens_are_created_listed_and_revoked(backend: Backend) {
    let db = TestDb::create(backend).await;
    let url = db.url.as_str();
    let created = golinks(&[
        "scim-token",
        "create",
        "--database-url",
        url,
        "--org",
        "default",
        "--name",
        "okta",
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    let token = last_line(&created);
    assert!(
        token.starts_with("gls_") && token.len() == 68,
        "the token alone on the last line: {token:?}"
    );
    let listed = golinks(&["scim-token", "list", "--database-url", url]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("\"name\":\"okta\"") && !listed.contains(&token),
        "{listed}"
    );
    let revoked = golinks(&["scim-token", "revoke", "--database-url", url, "okta"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let again = golinks(&["scim-token", "revoke", "--database-url", url, "okta"]);
    assert!(!again.status.success(), "nothing left to revoke");
    assert!(
        stderr(&again).contains("no unrevoked SCIM token"),
        "{}",
        stderr(&again)
    );
    let wrong_org = golinks(&[
        "scim-token",
        "create",
        "--database-url",
        url,
        "--org",
        "nope",
        "--name",
        "x",
    ]);
    assert!(!wrong_org.status.success());
    assert!(
        stderr(&wrong_org).contains("no organization \"nope\""),
        "{}",
        stderr(&wrong_org)
    );
}

async fn an_api_token_from_the_cli_works_against_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.db.url.clone();
    let user = golinks(&[
        "user",
        "create",
        "--database-url",
        &url,
        "--email",
        "Ada@Acme.example",
        "--role",
        "admin",
    ]);
    assert!(user.status.success(), "{}", stderr(&user));
    let dup = golinks(&[
        "user",
        "create",
        "--database-url",
        &url,
        "--email",
        "ada@acme.EXAMPLE",
    ]);
    assert!(
        !dup.status.success(),
        "userName is unique, case-insensitively"
    );
    let token = golinks(&[
        "api-token",
        "create",
        "--database-url",
        &url,
        "--email",
        "ada@acme.example",
    ]);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = last_line(&token);
    assert!(token.starts_with("gla_"), "{token}");
    let list = app
        .api(Method::GET, "/_/api/v1/links", &token)
        .send()
        .await
        .expect("send");
    assert_eq!(list.status(), 200);
}

async fn links_imported_by_the_cli_resolve_on_the_running_server_within_seconds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = app.db.scratch();
    let jsonl = dir.join("golink.jsonl");
    std::fs::write(&jsonl, concat!(
        "{\"Short\":\"docs\",\"Long\":\"https://wiki.example/\",\"Created\":\"2024-01-01T00:00:00Z\",\"LastEdit\":\"2024-01-01T00:00:00Z\",\"Owner\":\"ada@acme.example\"}\n",
        "{\"Short\":\"hr\",\"Long\":\"https://hr.example/\",\"Owner\":\"\"}\n",
    )).expect("write");
    let url = app.db.url.clone();
    let imported = golinks(&[
        "links",
        "import",
        "--database-url",
        &url,
        "--org",
        "default",
        jsonl.to_str().expect("path"),
    ]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(String::from_utf8_lossy(&imported.stdout).contains("imported 2 link(s), skipped 0"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.follow("/hr").await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not see the import within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.follow("/docs/x").await.as_deref(),
        Ok("https://wiki.example/x")
    );
    let again = golinks(&[
        "links",
        "import",
        "--database-url",
        &url,
        jsonl.to_str().expect("path"),
    ]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("imported 0 link(s), skipped 2"),
        "re-import is harmless"
    );
}

async fn an_import_with_an_invalid_link_imports_nothing(backend: Backend) {
    let db = TestDb::create(backend).await;
    let file = db.scratch().join("bad.jsonl");
    std::fs::write(&file, "{\"Short\":\"ok\",\"Long\":\"https://a.example/\"}\n{\"Short\":\"bad name\",\"Long\":\"ftp://x\"}\n").expect("write");
    let out = golinks(&[
        "links",
        "import",
        "--database-url",
        &db.url,
        file.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("nothing imported") && stderr(&out).contains("bad name"),
        "{}",
        stderr(&out)
    );
    let broken = db.scratch().join("broken.jsonl");
    std::fs::write(
        &broken,
        "{\"Short\":\"ok\",\"Long\":\"https://a.example/\"}\nnot json\n",
    )
    .expect("write");
    let out = golinks(&[
        "links",
        "import",
        "--database-url",
        &db.url,
        broken.to_str().expect("path"),
    ]);
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    let export = golinks(&["links", "export", "--database-url", &db.url]);
    let export: Value = serde_json::from_slice(&export.stdout).expect("export json");
    assert_eq!(
        export["links"].as_array().map(Vec::len),
        Some(0),
        "nothing was imported"
    );
}

async fn an_export_imports_into_another_database_unchanged(backend: Backend) {
    let app = TestApp::spawn(backend.clone()).await;
    let (_, token) = app.person("ada@acme.example", Role::Member).await;
    app.create_link(
        &token,
        serde_json::json!({"name": "Docs", "url": "https://wiki.example/{1}", "description": "d",
        "tags": ["eng"], "aliases": ["wiki"], "visibility": "unlisted"}),
    )
    .await;
    let file = app.db.scratch().join("export.json");
    let out = golinks(&[
        "links",
        "export",
        "--database-url",
        &app.db.url,
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let target = TestDb::create(backend).await;
    let out = golinks(&[
        "links",
        "import",
        "--database-url",
        &target.url,
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = golinks(&["links", "export", "--database-url", &target.url]);
    let copy: Value = serde_json::from_slice(&copy.stdout).expect("json");
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let strip_owner = |mut v: Value| {
        v["links"][0]["owner"] = Value::Null;
        v
    };
    assert_eq!(
        strip_owner(copy),
        strip_owner(original),
        "the owner is not a person in the new database"
    );
}

fn start_errors_are_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "bad database URL",
            vec!["--database-url", "mysql://x/y"],
            "unsupported database URL",
        ),
        (
            "unwritable SQLite path",
            vec!["--database-url", "sqlite:///proc/golinks/nope.db"],
            "cannot open the SQLite database",
        ),
        (
            "unreachable PostgreSQL",
            vec!["--database-url", "postgres://nobody@127.0.0.1:1/x"],
            "cannot connect to PostgreSQL",
        ),
        (
            "bad listen address",
            vec!["--listen", "nowhere"],
            "--listen must be HOST:PORT",
        ),
    ];
    for (case, args, expected) in cases {
        let mut all = vec!["serve"];
        all.extend(args);
        let db = format!("sqlite://{}", dir.path().join("x.db").display());
        if !all.contains(&"--database-url") {
            all.extend(["--database-url", db.as_str()]);
        }
        let out = golinks(&all);
        assert!(!out.status.success(), "case: {case}");
        assert!(
            stderr(&out).contains(expected),
            "case: {case}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_server_that_cannot_start_says_why() {
    start_errors_are_clear();
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    let out = golinks(&["serve", "--listen", &addr, "--database-url", &db]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is another server using that port?"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully_and_flushes_clicks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    let jsonl = dir.path().join("l.jsonl");
    std::fs::write(
        &jsonl,
        "{\"Short\":\"docs\",\"Long\":\"https://wiki.example/\"}\n",
    )
    .expect("write");
    assert!(
        golinks(&[
            "links",
            "import",
            "--database-url",
            &db,
            jsonl.to_str().expect("path")
        ])
        .status
        .success()
    );
    // This deployment trusts its network: company links resolve without sign-in.
    let set = golinks(&[
        "org",
        "set",
        "--database-url",
        &db,
        "--anonymous-resolution",
        "on",
    ]);
    assert!(set.status.success(), "{set:?}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args([
            "serve",
            "--listen",
            &listen,
            "--database-url",
            &db,
            "--click-flush-secs",
            "3600",
            "--log-format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .get(format!("http://{listen}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hit = client
        .get(format!("http://{listen}/docs"))
        .send()
        .await
        .expect("send");
    assert_eq!(hit.status(), 302);
    let pid = server.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let out = tokio::task::spawn_blocking(move || server.wait_with_output())
        .await
        .expect("join")
        .expect("wait");
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.lines()
            .any(|l| l.starts_with('{') && l.contains("shutting down")),
        "JSON logs: {logs}"
    );
    let store = golinks::store::Store::open(&db).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org");
    let links = store.all_links(org.id).await.expect("links");
    assert_eq!(
        links[0].clicks_total, 1,
        "the click made before SIGTERM was written"
    );
}

/// Host names are given on the server's machine: `--host` sets the whole list, `--add-host`
/// and `--remove-host` change it; the default organization can hold host names too.
async fn host_names_are_set_by_the_operator_with_the_cli(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.db.url.clone();
    let hosts = |slug: &'static str| {
        let store = &app.state.store;
        async move { store.find_org_by_slug(slug).await.expect("org").hosts }
    };
    let set = |args: &[&str]| {
        let mut all = vec!["org", "set", "--database-url", url.as_str()];
        all.extend_from_slice(args);
        golinks(&all)
    };
    let out = set(&[
        "--org",
        "default",
        "--host",
        "go",
        "--host",
        "GO.Acme.example.",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hosts("default").await, ["go", "go.acme.example"]);
    assert!(
        last_line(&out).contains("go, go.acme.example"),
        "{}",
        last_line(&out)
    );

    let taken = golinks(&[
        "org",
        "create",
        "--database-url",
        &url,
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--host",
        "go.acme.example",
    ]);
    assert!(
        !taken.status.success(),
        "a host belongs to one organization"
    );
    assert!(
        stderr(&taken).contains("belongs to another organization"),
        "{}",
        stderr(&taken)
    );
    let created = golinks(&[
        "org",
        "create",
        "--database-url",
        &url,
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--host",
        "acme.example",
    ]);
    assert!(created.status.success(), "{}", stderr(&created));

    let out = set(&[
        "--org",
        "default",
        "--add-host",
        "links",
        "--remove-host",
        "go.acme.example",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hosts("default").await, ["go", "links"]);

    let cases: [(&str, Vec<&str>, &str); 3] = [
        (
            "not a host name",
            vec!["--org", "acme", "--host", "evil_host!"],
            "not a host name",
        ),
        (
            "another org's host",
            vec!["--org", "acme", "--add-host", "go"],
            "belongs to another organization",
        ),
        (
            "replace and add at once",
            vec![
                "--org",
                "acme",
                "--host",
                "a.example",
                "--add-host",
                "b.example",
            ],
            "cannot be used with",
        ),
    ];
    for (case, args, expected) in cases {
        let out = set(&args);
        assert!(!out.status.success(), "case: {case}");
        assert!(
            stderr(&out).contains(expected),
            "case: {case}: {}",
            stderr(&out)
        );
        assert_eq!(
            hosts("acme").await,
            ["acme.example"],
            "case: {case}: unchanged"
        );
        assert_eq!(
            hosts("default").await,
            ["go", "links"],
            "case: {case}: unchanged"
        );
    }

    // The running server follows within seconds.
    let out = set(&["--org", "acme", "--host", "go.acme.example"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let hosts = app.state.index.hosts();
        if hosts
            .org_for(Some("go.acme.example"))
            .is_some_and(|o| o.slug == "acme")
        {
            assert!(
                hosts
                    .org_for(Some("acme.example"))
                    .is_some_and(|o| o.is_default)
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not see the new host within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = golinks(&["org", "list", "--database-url", &url]);
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(
        list.contains("default (default)\tDefault\tgo,links"),
        "{list}"
    );
}

on_both_backends!(
    host_names_are_set_by_the_operator_with_the_cli,
    scim_tokens_are_created_listed_and_revoked,
    an_api_token_from_the_cli_works_against_the_server,
    links_imported_by_the_cli_resolve_on_the_running_server_within_seconds,
    an_import_with_an_invalid_link_imports_nothing,
    an_export_imports_into_another_database_unchanged,
);
