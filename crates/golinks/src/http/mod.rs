//! The HTTP surface: one router for the redirects, the JSON API, the web pages and the
//! health checks, SCIM and SAML.

pub mod api;
pub mod auth;
mod canonical;
pub mod error;
mod front;
mod health;
mod redirect;
mod request_id;
pub mod saml;
pub mod scim;
pub mod security_headers;
pub mod web;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::{Router, middleware};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;

pub use front::MakeFront;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What `axum::serve` takes: the router behind the short cut for `go/<name>`.
pub fn service(state: AppState) -> front::MakeFront {
    let ids = request_id::Counter::default();
    front::MakeFront::new(router(state.clone()), state, ids)
}

fn router(state: AppState) -> Router {
    let config = &state.config;
    let timeout = Duration::from_secs(config.request_timeout_secs);
    let body_limit = config.max_body_bytes;
    // Everything but a redirect hit: body limit, timeout, a traced span per request and the
    // security headers of HTML pages.
    let pages = Router::new()
        .merge(health::router())
        .merge(api::router())
        .merge(web::router())
        .merge(redirect::private_router())
        .merge(saml::router())
        .merge(scim::router(state.clone()))
        .layer(middleware::map_response_with_state(
            state.clone(),
            security_headers::layer,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
        // A short alias host (`go`) goes to the canonical base URL before anything else runs.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            canonical::layer,
        ))
        // Who the client is, before anything reads an address or an X-Forwarded-* header.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::client::layer,
        ));
    // Metrics wrap every page route and the fallback (`Router::layer` layers each route, after
    // routing: the matched route template is known). Off, they cost nothing here. Redirects
    // are counted by `golinks_redirects_total{outcome}` in their handler instead: a second
    // count and histogram on the hot path cost about 20% of a hit's CPU (docs/benchmarks.md).
    let pages = if state.metrics.on() {
        pages.layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::http::layer,
        ))
    } else {
        pages
    };
    // A redirect reads memory only and cannot hang, so it skips the timeout, the span, the
    // client-address rule and the headers layer: they cost more than the lookup
    // (docs/benchmarks.md). The HTML pages it answers with set their headers themselves
    // (`security_headers::on`).
    Router::new()
        .merge(pages)
        .merge(redirect::router())
        .with_state(state)
}
