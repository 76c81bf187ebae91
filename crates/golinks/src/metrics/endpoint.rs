//! `GET /metrics` (Prometheus text exposition 0.0.4) on the `--metrics-listen` address: its
//! own listener, so that the public address never answers with metrics.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::http::HttpMetrics;
use super::{DB_CONNECTIONS, FEED_AGE, RedirectMetrics};
use crate::app::AppState;

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// This server's metrics: the exposition handle when `--metrics-listen` is set, and the
/// handles the request paths update (no-ops when it is not).
pub struct Metrics {
    pub handle: Option<PrometheusHandle>,
    pub redirects: RedirectMetrics,
    pub http: HttpMetrics,
}

impl Metrics {
    /// Installs the recorder when `on` (once per process, see [`super::install`]).
    pub fn new(on: bool) -> anyhow::Result<Self> {
        let handle = on.then(super::install).transpose()?;
        Ok(Self {
            redirects: RedirectMetrics::new(handle.is_some()),
            http: HttpMetrics::default(),
            handle,
        })
    }

    pub fn on(&self) -> bool {
        self.handle.is_some()
    }

    /// Moves histogram samples into their buckets, so that memory stays bounded when nobody
    /// scrapes (the exporter's own listener would do this on a timer; we have none).
    pub fn upkeep(&self) {
        if let Some(handle) = &self.handle {
            handle.run_upkeep();
        }
    }
}

/// Binds the metrics listener, before anything is served (port 0 in tests).
pub async fn bind(listen: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen for metrics on {listen}"))
}

/// Serves `/metrics` until `stop` turns true.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state(state);
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    })
}

pub fn local_addr(listener: &TcpListener) -> Option<SocketAddr> {
    listener.local_addr().ok()
}

/// The exposition, with the gauges read at scrape time brought up to date first.
async fn scrape(State(state): State<AppState>) -> Response {
    let Some(handle) = &state.metrics.handle else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    for pool in state.store.pool_stats() {
        let in_use = pool.size.saturating_sub(pool.idle);
        ::metrics::gauge!(DB_CONNECTIONS, "pool" => pool.name, "state" => "in_use")
            .set(f64::from(in_use));
        ::metrics::gauge!(DB_CONNECTIONS, "pool" => pool.name, "state" => "idle")
            .set(f64::from(pool.idle));
    }
    if let Some(age) = state.index.applied.age() {
        ::metrics::gauge!(FEED_AGE).set(age.as_secs_f64());
    }
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        handle.render(),
    )
        .into_response()
}
