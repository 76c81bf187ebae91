//! `golinks_http_requests_total{method, route, status}` and its duration histogram, for every
//! request of the public router but a redirect (counted by outcome in `http/redirect.rs`).
//! `route` is the matched route template, or `unmatched`: never a link name.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use ::metrics::{Counter, Histogram, Label};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::{HTTP_DURATION, HTTP_REQUESTS};
use crate::app::AppState;

pub const UNMATCHED: &str = "unmatched";

struct Series {
    count: Counter,
    duration: Histogram,
}

/// One route's series, by method and status.
type RouteSeries = HashMap<(&'static str, u16), Series>;

/// The series seen so far, by route then method and status: after the first request of a
/// kind, a request costs a read lock, two lookups and two atomic updates, no allocation.
#[derive(Default)]
pub struct HttpMetrics {
    series: RwLock<HashMap<Box<str>, RouteSeries>>,
}

impl HttpMetrics {
    fn record(&self, method: &'static str, route: &str, status: StatusCode, took: Duration) {
        let key = (method, status.as_u16());
        {
            let series = self.series.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = series.get(route).and_then(|by| by.get(&key)) {
                s.count.increment(1);
                s.duration.record(took);
                return;
            }
        }
        let mut series = self.series.write().unwrap_or_else(|e| e.into_inner());
        let s = series
            .entry(route.into())
            .or_default()
            .entry(key)
            .or_insert_with(|| {
                let labels = vec![
                    Label::new("method", method),
                    Label::new("route", route.to_owned()),
                    Label::new("status", status.as_str().to_owned()),
                ];
                Series {
                    count: ::metrics::counter!(HTTP_REQUESTS, labels.clone()),
                    duration: ::metrics::histogram!(HTTP_DURATION, labels),
                }
            });
        s.count.increment(1);
        s.duration.record(took);
    }
}

/// The middleware (installed only when metrics are on).
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    state
        .metrics
        .http
        .record(method, route, response.status(), started.elapsed());
    response
}

/// The standard methods by name; any other is `other`, so that made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
