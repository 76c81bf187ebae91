use crate::on_both_backends;
use crate::support::{Backend, FetchJson, TestApp};

async fn health_and_readiness_answer_once_serving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health = app.get("/healthz").send().await.expect("send");
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").send().await.expect("send");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready\n");
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.get("/healthz").send().await.expect("send");
    let second = app.get("/nothing-here").send().await.expect("send");
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap_or("").to_owned())
    };
    let third = app.get("/nothing-here/deeper").send().await.expect("send");
    let (a, b, c) = (id(&first), id(&second), id(&third));
    assert!(
        a.is_some() && b.is_some() && c.is_some(),
        "request ids present"
    );
    assert!(
        a != b && b != c && a != c,
        "request ids differ: {a:?} {b:?} {c:?}"
    );
    // One the client chose comes back, whether the router or the short cut for `go/<name>`
    // (`http::front`) answers.
    for path in ["/healthz", "/nothing-here", "/nothing-here/deeper"] {
        let response = app
            .get(path)
            .header("x-request-id", "client-chosen-7")
            .send()
            .await
            .expect("send");
        assert_eq!(id(&response).as_deref(), Some("client-chosen-7"), "{path}");
    }
}

async fn the_openapi_description_lists_the_link_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: serde_json::Value = app.get("/_/api/openapi.json").fetch_json().await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/_/api/v1/links",
        "/_/api/v1/links/{id}",
        "/_/api/v1/links/{id}/usage",
        "/_/api/v1/links/{id}/history",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

on_both_backends!(
    health_and_readiness_answer_once_serving,
    every_response_carries_a_request_id,
    the_openapi_description_lists_the_link_endpoints,
);
