//! The security headers every HTML page carries: a Content Security Policy without
//! `unsafe-inline` (templates hold no inline script, handler or style; `assets/app.js` and
//! `app.css` do that work), no MIME sniffing, no `Referer` sent to other sites, and HSTS when
//! the configuration says people reach us over https. Redirects get none of them: a link hit
//! stays as small as it is.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::app::AppState;

/// `default-src 'self'`: scripts, styles, images only from our own embedded assets (CSP 3
/// §6.1.3); `frame-ancestors 'none'`: no page of ours inside another site's frame
/// (clickjacking, §6.4.2); `form-action 'self'`: forms post only to us (§6.4.1);
/// `base-uri 'none'`: no injected `<base>` can move relative URLs (§6.3.1).
const CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
);
/// Browsers keep to https for a year after seeing it (`max-age` in seconds, RFC 6797 §6.1.1).
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

/// Adds the headers to `headers` when they describe an HTML page. The one place that sets
/// them: the layer over the pages and the redirect router's own HTML answers both call it.
pub fn apply(headers: &mut HeaderMap, https: bool) {
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return;
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, CSP);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

/// [`apply`] on a whole response.
pub fn on(mut response: Response, https: bool) -> Response {
    apply(response.headers_mut(), https);
    response
}

/// The layer over every router but the redirect one
/// (`axum::middleware::map_response_with_state`).
pub async fn layer(State(state): State<AppState>, response: Response) -> Response {
    on(response, state.config.https())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_html_answers_get_the_headers() {
        let mut html = HeaderMap::new();
        html.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        apply(&mut html, true);
        assert_eq!(html[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(html[header::STRICT_TRANSPORT_SECURITY], HSTS);
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        apply(&mut json, true);
        assert_eq!(json.len(), 1);
        let mut plain_http = html.clone();
        plain_http.remove(header::STRICT_TRANSPORT_SECURITY);
        apply(&mut plain_http, false);
        assert!(plain_http.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    }
}
