//! Migrating from tailscale/golink: a 10,000-line JSONL export that holds names golinks
//! reserves is refused whole by default, and `--skip-invalid` imports the rest and names each
//! skipped line, through the real binary.

use std::fmt::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, TestDb};

const LINES: usize = 10_000;

fn golinks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run golinks")
}

/// A golink export of `LINES` lines where line 17 is `metrics`, line 4242 is `scim` (both
/// reserved system paths), line 9000 is not JSON and line 9999 points at `ftp://`.
fn golink_export() -> String {
    let mut text = String::new();
    for line in 1..=LINES {
        let record = match line {
            17 => r#"{"Short":"metrics","Long":"https://grafana.example/"}"#.to_owned(),
            4242 => r#"{"Short":"scim","Long":"https://scim.example/"}"#.to_owned(),
            9000 => "{\"Short\": \"half".to_owned(),
            9999 => r#"{"Short":"files","Long":"ftp://files.example/"}"#.to_owned(),
            n => format!(
                r#"{{"Short":"link-{n}","Long":"https://wiki.example/{n}","Created":"2024-01-01T00:00:00Z","LastEdit":"2024-01-01T00:00:00Z","Owner":"ada@acme.example"}}"#
            ),
        };
        writeln!(text, "{record}").expect("write");
    }
    text
}

fn exported_names(url: &str) -> Vec<String> {
    let out = golinks(&["links", "export", "--database-url", url]);
    let export: Value = serde_json::from_slice(&out.stdout).expect("export json");
    export["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn a_golink_export_with_reserved_names_is_refused_whole_or_imported_without_them(
    backend: Backend,
) {
    let db = TestDb::create(backend).await;
    let file = db.scratch().join("golink.jsonl");
    std::fs::write(&file, golink_export()).expect("write");
    let path = file.to_str().expect("path");

    let refused = golinks(&["links", "import", "--database-url", &db.url, path]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{err}");
    for expected in [
        "line 17 (metrics)",
        "line 4242 (scim)",
        "line 9000:",
        "line 9999 (files)",
        "--skip-invalid",
    ] {
        assert!(err.contains(expected), "{expected:?} in {err}");
    }
    assert!(exported_names(&db.url).is_empty(), "nothing was imported");

    let imported = golinks(&[
        "links",
        "import",
        "--database-url",
        &db.url,
        "--skip-invalid",
        path,
    ]);
    let out = String::from_utf8_lossy(&imported.stdout);
    let err = String::from_utf8_lossy(&imported.stderr);
    assert!(imported.status.success(), "{err}");
    assert!(
        out.starts_with(&format!("imported {} link(s), skipped 4\n", LINES - 4)),
        "{out}"
    );
    let skipped: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(skipped.len(), 4, "{out}");
    assert!(
        skipped[0].starts_with("  skipped line 17 (metrics): name: ")
            && skipped[0].contains("reserved"),
        "{out}"
    );
    assert!(
        skipped[1].starts_with("  skipped line 4242 (scim): name: ")
            && skipped[1].contains("reserved"),
        "{out}"
    );
    assert!(
        skipped[2].starts_with("  skipped line 9000: EOF while parsing"),
        "{out}"
    );
    assert!(
        skipped[3].starts_with("  skipped line 9999 (files): url: "),
        "{out}"
    );
    assert!(
        !err.contains('\r'),
        "no progress line when stderr is not a terminal: {err:?}"
    );

    let names = exported_names(&db.url);
    assert_eq!(names.len(), LINES - 4);
    for reserved in ["metrics", "scim", "files"] {
        assert!(!names.iter().any(|n| n == reserved), "{reserved} imported");
    }
    assert!(names.iter().any(|n| n == "link-10000") && names.iter().any(|n| n == "link-1"));
}

/// `golinks links import` checks each link as the API checks a new one (`golinks::links`):
/// a destination looping back to one of the organization's host names and a private link
/// without an owner here are refused with the API's own field messages.
async fn an_import_is_checked_as_the_api_checks_a_new_link(backend: Backend) {
    let db = TestDb::create(backend).await;
    let set = golinks(&[
        "org",
        "set",
        "--database-url",
        &db.url,
        "--add-host",
        "go.acme.example",
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let file = db.scratch().join("links.json");
    let export = serde_json::json!({"format": "golinks/v1", "links": [
        {"name": "loop", "url": "https://go.acme.example/wiki"},
        {"name": "secret", "url": "https://a.example/", "visibility": "private",
         "owner": "nobody@acme.example"},
        {"name": "fine", "url": "https://go.acme.example/_/admin"},
    ]});
    std::fs::write(&file, export.to_string()).expect("write");
    let path = file.to_str().expect("path");

    let refused = golinks(&["links", "import", "--database-url", &db.url, path]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{err}");
    for expected in [
        "(loop): url: the destination points back at a go link on this server",
        "(secret): visibility: a private link needs an owner",
    ] {
        assert!(err.contains(expected), "{expected:?} in {err}");
    }
    assert!(!err.contains("(fine)"), "a system page is no loop: {err}");
    assert!(exported_names(&db.url).is_empty(), "nothing was imported");
}

on_both_backends!(
    a_golink_export_with_reserved_names_is_refused_whole_or_imported_without_them,
    an_import_is_checked_as_the_api_checks_a_new_link,
);

/// On a terminal, an import that takes more than a second says how far it is; `script` gives
/// the binary a pseudo-terminal as stderr.
#[test]
fn a_long_import_on_a_terminal_shows_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("golink.jsonl");
    std::fs::write(&file, golink_export()).expect("write");
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    let command = format!(
        "{} links import --database-url {db} --skip-invalid {}",
        env!("CARGO_BIN_EXE_golinks"),
        file.display()
    );
    let started = std::time::Instant::now();
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("run script (bsdutils)");
    let elapsed = started.elapsed();
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{terminal}");
    assert!(terminal.contains("imported 9996 link(s)"), "{terminal}");
    if elapsed > std::time::Duration::from_millis(1500) {
        assert!(
            terminal.contains("\r\x1b[Kimport: "),
            "progress after a second: {terminal:?}"
        );
        assert!(terminal.contains("import: done in"), "{terminal:?}");
    } else {
        assert!(
            !terminal.contains("import: "),
            "quiet under a second: {terminal:?}"
        );
    }
}
