//! Embedded assets: the stylesheet, the favicon and the OpenSearch description, so pages make
//! no request to another site. Cached for a day; the stylesheet's content changes only with a
//! new binary.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::AppState;
use crate::http::auth::HostOrg;
use crate::http::auth::origin;

const CSS: &str = include_str!("../../../assets/app.css");
const JS: &str = include_str!("../../../assets/app.js");
const FAVICON: &str = include_str!("../../../assets/favicon.svg");
const CACHE: &str = "public, max-age=86400";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/favicon.ico",
            get(|| async { asset("image/svg+xml", FAVICON) }),
        )
        .route(
            "/_/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route("/_/opensearch.xml", get(opensearch))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        ],
        body,
    )
}

/// Lets a browser add "go" as a search engine: a query goes to the home page's search.
async fn opensearch(org: HostOrg, headers: axum::http::HeaderMap) -> impl IntoResponse {
    let name = quick_xml::escape::escape(&org.org.name).into_owned();
    let base = quick_xml::escape::escape(origin::request_origin(&headers)).into_owned();
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>go/</ShortName>
  <Description>go links of {name}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" template="{base}/_/?q={{searchTerms}}"/>
</OpenSearchDescription>
"#
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/opensearchdescription+xml"),
        )],
        body,
    )
}
