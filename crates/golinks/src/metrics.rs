//! Prometheus metrics: every name, bucket and label set in one place, so that handlers call a
//! function here and stay thin. Off unless `--metrics-listen` is set; the exposition is then
//! served on that listener only (`endpoint`), never on the public address.
//!
//! The recorder is global to the process and installed once ([`install`]); servers started
//! later in the same process (the integration tests start many) share it, so their series
//! add up. Without it the `metrics` macros are no-ops and the cached handles are no-ops too.
//!
//! Label values come from fixed sets (`&'static str`): a route template, never a path, and
//! never a link name, so the number of series stays bounded whatever people type.

pub mod endpoint;
pub mod http;
mod scim;

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ::metrics::{Counter, Histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use endpoint::Metrics;
pub use scim::scim_request;

pub const HTTP_REQUESTS: &str = "golinks_http_requests_total";
pub const HTTP_DURATION: &str = "golinks_http_request_duration_seconds";
pub const REDIRECTS: &str = "golinks_redirects_total";
pub const REDIRECT_DURATION: &str = "golinks_redirect_duration_seconds";
pub const SCIM_REQUESTS: &str = "golinks_scim_requests_total";
pub const THROTTLED: &str = "golinks_throttled_requests_total";
pub const SAML_SIGN_INS: &str = "golinks_saml_sign_ins_total";
pub const DB_CONNECTIONS: &str = "golinks_db_pool_connections";
pub const DB_DURATION: &str = "golinks_db_query_duration_seconds";
pub const CLICK_FLUSHES: &str = "golinks_click_flushes_total";
pub const CLICK_ROWS: &str = "golinks_click_rows_written_total";
pub const FEED_AGE: &str = "golinks_change_feed_last_applied_age_seconds";
pub const CATCH_UPS: &str = "golinks_replica_catch_ups_total";
pub const FEED_RECONNECTS: &str = "golinks_change_feed_reconnects_total";
pub const BUILD_INFO: &str = "golinks_build_info";

/// Requests and redirects: a redirect hit takes microseconds, a SCIM write milliseconds.
const REQUEST_BUCKETS: [f64; 18] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Store methods, and any other histogram: explicit buckets always, never a summary.
const QUERY_BUCKETS: [f64; 15] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process's recorder on the first call and returns the handle that renders it;
/// later calls return the same handle.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    HANDLE
        .get_or_init(|| build().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Whether this process records metrics: one atomic load.
pub fn enabled() -> bool {
    HANDLE.get().is_some_and(Result::is_ok)
}

fn build() -> anyhow::Result<PrometheusHandle> {
    let recorder = PrometheusBuilder::new()
        .set_buckets(&QUERY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &REQUEST_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(REDIRECT_DURATION.into()), &REQUEST_BUCKETS)?
        .build_recorder();
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder)
        .map_err(|_| anyhow::anyhow!("another metrics recorder is already installed"))?;
    describe();
    ::metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(handle)
}

/// HELP lines: `promtool check metrics` wants one per metric.
fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, route template and status"
    );
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request duration");
    describe_counter!(REDIRECTS, "Redirect requests by outcome");
    describe_histogram!(
        REDIRECT_DURATION,
        Unit::Seconds,
        "Redirect duration by outcome"
    );
    describe_counter!(
        SCIM_REQUESTS,
        "SCIM requests by resource, operation and status"
    );
    describe_counter!(
        THROTTLED,
        "Requests refused by a rate limit (429), by protocol"
    );
    describe_counter!(
        SAML_SIGN_INS,
        "SAML sign-ins by outcome (accepted or the refusal)"
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database pool connections by pool and state"
    );
    describe_histogram!(
        DB_DURATION,
        Unit::Seconds,
        "Store method duration by family"
    );
    describe_counter!(CLICK_FLUSHES, "Click count flushes by outcome");
    describe_counter!(
        CLICK_ROWS,
        "Click count rows written (one per link and day)"
    );
    describe_gauge!(
        FEED_AGE,
        Unit::Seconds,
        "Seconds since the link index last applied the database's change sequences"
    );
    describe_counter!(
        CATCH_UPS,
        "Organizations reloaded because a sync found them stale"
    );
    describe_counter!(
        FEED_RECONNECTS,
        "Times the change feed lost its connection, reconnected and caught up with a full sync"
    );
    describe_gauge!(BUILD_INFO, "The running version");
}

/// What a redirect request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOutcome {
    /// Sent to the link's destination.
    Hit,
    /// A signed-in member asked for a name that does not exist (the missing-link page).
    Miss,
    /// Not found for an anonymous visitor: sent to sign in (existence is not told).
    SignInRequired,
    /// Sent from a short alias host to the canonical one first.
    Canonical,
    /// `go/name+`: sent to the link's page.
    LinkPage,
    /// A reserved name, or no organization for the host.
    NotFound,
}

impl RedirectOutcome {
    const ALL: [RedirectOutcome; 6] = [
        Self::Hit,
        Self::Miss,
        Self::SignInRequired,
        Self::Canonical,
        Self::LinkPage,
        Self::NotFound,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::SignInRequired => "sign_in_required",
            Self::Canonical => "canonical_host",
            Self::LinkPage => "link_page",
            Self::NotFound => "not_found",
        }
    }
}

/// The redirect counters and histograms, registered once: a redirect then costs a clock read,
/// an atomic add and a histogram sample, with no label lookup.
pub struct RedirectMetrics {
    on: bool,
    counts: [Counter; 6],
    durations: [Histogram; 6],
}

impl RedirectMetrics {
    pub fn new(on: bool) -> Self {
        let counter = |o: RedirectOutcome| match on {
            true => ::metrics::counter!(REDIRECTS, "outcome" => o.label()),
            false => Counter::noop(),
        };
        let histogram = |o: RedirectOutcome| match on {
            true => ::metrics::histogram!(REDIRECT_DURATION, "outcome" => o.label()),
            false => Histogram::noop(),
        };
        Self {
            on,
            counts: RedirectOutcome::ALL.map(counter),
            durations: RedirectOutcome::ALL.map(histogram),
        }
    }

    /// The start of a redirect; `None` (no clock read) when metrics are off.
    pub fn start(&self) -> Option<Instant> {
        self.on.then(Instant::now)
    }

    pub fn record(&self, outcome: RedirectOutcome, started: Option<Instant>) {
        if let Some(started) = started {
            let i = outcome as usize;
            self.counts[i].increment(1);
            self.durations[i].record(started.elapsed());
        }
    }
}

/// A group of store methods timed together: the `family` label of [`DB_DURATION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFamily {
    LinkRead,
    LinkWrite,
    ScimUserRead,
    ScimUserWrite,
    ScimGroupRead,
    ScimGroupWrite,
    Session,
    Token,
    ClickFlush,
    ChangeFeed,
}

impl QueryFamily {
    const ALL: [QueryFamily; 10] = [
        Self::LinkRead,
        Self::LinkWrite,
        Self::ScimUserRead,
        Self::ScimUserWrite,
        Self::ScimGroupRead,
        Self::ScimGroupWrite,
        Self::Session,
        Self::Token,
        Self::ClickFlush,
        Self::ChangeFeed,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::LinkRead => "link_read",
            Self::LinkWrite => "link_write",
            Self::ScimUserRead => "scim_user_read",
            Self::ScimUserWrite => "scim_user_write",
            Self::ScimGroupRead => "scim_group_read",
            Self::ScimGroupWrite => "scim_group_write",
            Self::Session => "session",
            Self::Token => "token",
            Self::ClickFlush => "click_flush",
            Self::ChangeFeed => "change_feed",
        }
    }
}

/// Times a store method until dropped (so an early return or an error is timed too):
/// `let _timer = metrics::time_query(QueryFamily::LinkRead);`.
pub struct QueryTimer {
    family: QueryFamily,
    started: Option<Instant>,
}

pub fn time_query(family: QueryFamily) -> QueryTimer {
    QueryTimer {
        family,
        started: enabled().then(Instant::now),
    }
}

impl Drop for QueryTimer {
    fn drop(&mut self) {
        static HISTOGRAMS: OnceLock<[Histogram; 10]> = OnceLock::new();
        if let Some(started) = self.started {
            let histograms = HISTOGRAMS.get_or_init(|| {
                QueryFamily::ALL.map(|f| ::metrics::histogram!(DB_DURATION, "family" => f.label()))
            });
            histograms[self.family as usize].record(started.elapsed());
        }
    }
}

/// A request refused by a rate limit; `protocol` is `page`, `api` or `scim`.
pub fn throttled(protocol: &'static str) {
    ::metrics::counter!(THROTTLED, "protocol" => protocol).increment(1);
}

/// A SAML sign-in's outcome: `accepted`, or a refusal's kind (`saml::Refusal::kind`).
pub fn saml_sign_in(outcome: &'static str) {
    ::metrics::counter!(SAML_SIGN_INS, "outcome" => outcome).increment(1);
}

/// A click flush: `Ok(rows)` written, or failed (the counts were kept for the next one).
pub fn clicks_flushed<E>(result: &Result<usize, E>) {
    match result {
        // Nothing was pending: no write happened.
        Ok(0) => {}
        Ok(rows) => {
            ::metrics::counter!(CLICK_FLUSHES, "outcome" => "written").increment(1);
            ::metrics::counter!(CLICK_ROWS).increment(u64::try_from(*rows).unwrap_or(u64::MAX));
        }
        Err(_) => ::metrics::counter!(CLICK_FLUSHES, "outcome" => "failed").increment(1),
    }
}

/// `orgs` organizations reloaded because the database held a newer change sequence than the
/// index (written by another process). Called by whatever notices: the periodic sync, or a
/// change notification.
pub fn replica_caught_up(orgs: usize) {
    if orgs > 0 {
        ::metrics::counter!(CATCH_UPS).increment(u64::try_from(orgs).unwrap_or(u64::MAX));
    }
}

/// The change feed reconnected and caught up with a full sync.
pub fn change_feed_reconnected() {
    ::metrics::counter!(FEED_RECONNECTS).increment(1);
}

/// When the index last applied the change sequences it read from the database, for
/// [`FEED_AGE`] (computed at scrape time, so it grows while syncs fail).
#[derive(Debug, Default)]
pub struct AppliedAt(Mutex<Option<Instant>>);

impl AppliedAt {
    pub fn mark(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Time since the last [`AppliedAt::mark`]; `None` before the first.
    pub fn age(&self) -> Option<Duration> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|at| at.elapsed())
    }
}
