//! Request ids: a per-process random prefix and a counter, cheaper than a UUID per request
//! on the redirect path, and unique across replicas in practice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Span;

#[derive(Clone)]
pub struct Counter {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for Counter {
    fn default() -> Self {
        let prefix: u32 = rand::random();
        Self {
            prefix: format!("{prefix:08x}").into(),
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

pub fn span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), uri = %request.uri())
}
