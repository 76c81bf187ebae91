//! What the real binary writes: with `--log-format json` nothing but JSON lines, and never a
//! secret from a URL (one-time sign-in links) or a person named in a SCIM filter.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Serves a fresh SQLite database with JSON logs, sends `requests` (method, path), stops the
/// server with SIGTERM and returns (stdout, stderr).
async fn serve_and_capture(requests: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, listen) = spawn_server(&dir);
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
    for (method, path) in requests {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        client
            .request(method, format!("http://{listen}{path}"))
            .header("sec-fetch-site", "same-origin")
            .header("authorization", "Bearer gls_not-a-real-token")
            // No proxy is trusted: these are ignored, with one warning per process.
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .expect("send");
    }
    let pid = server.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.expect("kill").success());
    let out = tokio::task::spawn_blocking(move || server.wait_with_output())
        .await
        .expect("join")
        .expect("wait");
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `golinks serve` on a free loopback port over a new database in `dir`.
fn spawn_server(dir: &tempfile::TempDir) -> (std::process::Child, String) {
    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(["serve", "--listen", &listen, "--database-url", &db])
        .args(["--log-format", "json"])
        // Every request's span is written (tower-http logs each response at DEBUG).
        .env("RUST_LOG", "info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    (server, listen)
}

#[tokio::test]
async fn json_logs_are_json_on_every_line_and_hold_no_secrets() {
    let secret_link = "/_/login/gll_SECRETLINKVALUE";
    let scim_filter = "/scim/v2/Users?filter=userName%20eq%20%22alice.secret%40acme.example%22";
    let (stdout, stderr) = serve_and_capture(&[
        ("POST", secret_link),
        ("GET", scim_filter),
        ("GET", "/_/links?q=salary-review-secret"),
    ])
    .await;
    assert!(
        stdout.contains("golinks is serving") && stdout.contains("First run"),
        "the banner and the first-run hint are there: {stdout}"
    );
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        for line in text.lines() {
            assert!(
                serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()),
                "{stream}: not a JSON object: {line:?}"
            );
        }
    }
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("/_/login/gll_…") && all.contains("/scim/v2/Users?filter=[redacted]"),
        "the requests are logged, redacted: {stderr}"
    );
    let warnings = stderr
        .lines()
        .filter(|l| l.contains("ignoring X-Forwarded-*"))
        .count();
    assert_eq!(
        warnings, 1,
        "one warning about untrusted forwarded headers: {stderr}"
    );
    for secret in ["SECRETLINKVALUE", "alice.secret", "salary-review-secret"] {
        assert!(
            !all.contains(secret),
            "{secret} leaked into the logs: {all}"
        );
    }
}
