//! `--metrics-listen`: the Prometheus exposition on its own listener. The recorder is global to
//! the test process and other tests run alongside, so every check is on a series moving (a
//! delta), never on an absolute value.

use std::collections::BTreeMap;
use std::io::Write;
use std::num::NonZeroU32;
use std::process::{Command, Stdio};

use golinks::domain::Role;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, TestDb, idp};

/// Names that must never show up in a label value.
const LINK: &str = "metricsprobe";
const MISSING: &str = "nosuchmetricsprobe";

/// One sample line: `name{label="value",...} 1.5`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

struct Exposition {
    text: String,
    samples: Vec<Sample>,
}

impl Exposition {
    /// The sum of the samples named `name` whose labels include `with`.
    fn sum(&self, name: &str, with: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                with.iter()
                    .all(|(k, v)| s.labels.get(*k).is_some_and(|have| have == v))
            })
            .map(|s| s.value)
            .sum()
    }

    fn has(&self, name: &str) -> bool {
        self.samples.iter().any(|s| s.name == name)
    }
}

fn parse(text: String) -> Exposition {
    let samples = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("sample line");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once("=\"").expect("label pair");
                    (k.to_owned(), v.trim_end_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().unwrap_or(f64::NAN),
            }
        })
        .collect();
    Exposition { text, samples }
}

async fn scrape(app: &TestApp) -> Exposition {
    let addr = app.metrics_addr.expect("metrics listener");
    let response = app
        .client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("type");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    parse(response.text().await.expect("body"))
}

/// A hit, a miss, a sign-in redirect, a SCIM create, a refused SAML post, a throttled one:
/// each moves its series, and no label value holds a link name.
async fn requests_move_their_series(backend: Backend) {
    let db = TestDb::create(backend).await;
    let app = TestApp::spawn_configured(db, |c| {
        c.metrics_listen = Some("127.0.0.1:0".into());
        c.sign_in_rate_per_min = NonZeroU32::MIN;
        c.sign_in_burst = NonZeroU32::MIN;
    })
    .await;
    let (_, token) = app.person("ann@acme.example", Role::Member).await;
    app.create_link(
        &token,
        json!({"name": LINK, "url": "https://example.com/x"}),
    )
    .await;
    let scim = app.scim_token().await;
    idp::configure(&app, |_| {}).await;
    let before = scrape(&app).await;

    assert_eq!(
        app.follow(&format!("/{LINK}")).await.as_deref(),
        Ok("https://example.com/x")
    );
    assert_eq!(app.follow(&format!("/{MISSING}")).await, Err(404));
    let anonymous = app.get(&format!("/{MISSING}")).send().await.expect("send");
    assert_eq!(anonymous.status(), 302, "sent to sign in");
    let created = app
        .scim_create(&scim, crate::scim_users::user("bob@acme.example"))
        .await;
    assert!(created["id"].is_string(), "{created}");
    assert_eq!(idp::post(&app, "%%%not base64", None).await.status(), 403);
    assert_eq!(idp::post(&app, "%%%not base64", None).await.status(), 429);
    let flushed = app
        .state
        .clicks
        .flush(&app.state.store)
        .await
        .expect("flush");
    assert!(flushed >= 1);

    let health = app.get("/healthz").send().await.expect("send");
    assert_eq!(health.status(), 200);

    let after = scrape(&app).await;
    let moved = |name: &str, with: &[(&str, &str)]| {
        let delta = after.sum(name, with) - before.sum(name, with);
        assert!(delta >= 1.0, "{name} {with:?} moved by {delta}");
    };
    moved("golinks_redirects_total", &[("outcome", "hit")]);
    moved("golinks_redirects_total", &[("outcome", "miss")]);
    moved(
        "golinks_redirects_total",
        &[("outcome", "sign_in_required")],
    );
    moved(
        "golinks_redirect_duration_seconds_count",
        &[("outcome", "hit")],
    );
    let page = [("method", "GET"), ("route", "/healthz"), ("status", "200")];
    moved("golinks_http_requests_total", &page);
    moved("golinks_http_request_duration_seconds_count", &page);
    // Redirects are counted once, by outcome, not a second time as HTTP requests.
    assert!(!after.text.contains("route=\"/{*path}\""), "{}", after.text);
    let create = [
        ("resource", "Users"),
        ("operation", "create"),
        ("status", "201"),
    ];
    moved("golinks_scim_requests_total", &create);
    moved("golinks_saml_sign_ins_total", &[("outcome", "not_base64")]);
    moved("golinks_throttled_requests_total", &[("protocol", "page")]);
    moved(
        "golinks_db_query_duration_seconds_count",
        &[("family", "scim_user_write")],
    );
    moved("golinks_click_flushes_total", &[("outcome", "written")]);
    moved("golinks_click_rows_written_total", &[]);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        after.sum("golinks_build_info", &[("version", version)]),
        1.0
    );
    assert!(after.has("golinks_db_pool_connections"), "{}", after.text);
    assert!(after.has("golinks_change_feed_last_applied_age_seconds"));

    let label_values = after.samples.iter().flat_map(|s| s.labels.values());
    for value in label_values {
        assert!(
            !value.contains(LINK) && !value.contains("metrics"),
            "a label value names a link: {value}"
        );
    }
    promtool_check(&after.text);
}

/// A write another process made (here: straight through the store, not the server) is a
/// catch-up when the periodic sync finds it.
async fn a_sync_that_finds_a_stale_org_is_a_catch_up(backend: Backend) {
    let db = TestDb::create(backend).await;
    let app =
        TestApp::spawn_configured(db, |c| c.metrics_listen = Some("127.0.0.1:0".into())).await;
    let before = scrape(&app)
        .await
        .sum("golinks_replica_catch_ups_total", &[]);
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org");
    store.rename_org(org.id, "Renamed").await.expect("rename");
    // The sync runs every 200 ms in tests: bounded wait for it.
    for _ in 0..100 {
        let now = scrape(&app)
            .await
            .sum("golinks_replica_catch_ups_total", &[]);
        if now > before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no catch-up was counted");
}

/// The public address answers `/metrics` like any other name, never with the exposition; the
/// metrics listener answers nothing else.
async fn metrics_are_not_on_the_public_address(backend: Backend) {
    let db = TestDb::create(backend).await;
    let app =
        TestApp::spawn_configured(db, |c| c.metrics_listen = Some("127.0.0.1:0".into())).await;
    for cookie in [None, Some(app.member_cookie().await)] {
        let mut request = app.get("/metrics");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.expect("send");
        assert_ne!(response.status(), 200);
        let body = response.text().await.expect("body");
        assert!(!body.contains("golinks_"), "{body}");
        assert!(!body.contains("# TYPE"), "{body}");
    }
    let addr = app.metrics_addr.expect("metrics listener");
    let other = app
        .client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("send");
    assert_eq!(other.status(), 404);
    // Off unless asked for.
    let plain = TestApp::spawn(Backend::Sqlite).await;
    assert!(plain.metrics_addr.is_none());
}

/// `promtool check metrics` (Debian package prometheus) on the exposition: required where the
/// suite must run completely (CI, `GOLINKS_REQUIRE_POSTGRES`), skipped with a note elsewhere.
fn promtool_check(exposition: &str) {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e)
            if std::env::var_os("GOLINKS_REQUIRE_POSTGRES").is_some()
                || std::env::var_os("CI").is_some() =>
        {
            panic!("promtool (Debian package prometheus) must be installed: {e}")
        }
        Err(_) => {
            let _ = writeln!(
                std::io::stderr(),
                "skipped: promtool is not installed (apt-get install prometheus)"
            );
            return;
        }
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(exposition.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n{exposition}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both_backends!(
    requests_move_their_series,
    a_sync_that_finds_a_stale_org_is_a_catch_up,
    metrics_are_not_on_the_public_address,
);
