//! SCIM Users: the protocol's own behaviour (RFC 7644), on both backends.

use golinks::store::Store;
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, patch_op};

pub fn user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": name, "type": "work", "primary": true}],
        "active": true
    })
}

async fn a_user_is_created_read_replaced_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let response = app
        .scim(Method::POST, "/Users", &token)
        .header("content-type", "application/scim+json")
        .body(user("ada@acme.example").to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/scim+json");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("http://{}/scim/v2/Users/{id}", app.addr));
    assert_eq!(created["meta"]["location"], json!(location));
    assert_eq!(created["meta"]["version"], json!(etag));
    assert_eq!(created["meta"]["resourceType"], "User");
    assert!(created["meta"]["created"].is_string() && created["meta"]["lastModified"].is_string());

    let (status, read) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(read["userName"], "ada@acme.example");

    let mut replacement = user("ada@acme.example");
    replacement["name"]["familyName"] = json!("King");
    replacement["id"] = json!(id);
    replacement["meta"] = json!({"created": "1999-01-01T00:00:00Z"});
    let (status, replaced) = app
        .scim_json(
            Method::PUT,
            &format!("/Users/{id}"),
            &token,
            Some(replacement),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["name"]["familyName"], "King");
    assert_eq!(
        replaced["meta"]["created"], created["meta"]["created"],
        "read-only attributes ignored"
    );
    assert_ne!(replaced["meta"]["version"], created["meta"]["version"]);

    let deleted = app
        .scim(Method::DELETE, &format!("/Users/{id}"), &token)
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    let (status, error) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        error["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(error["status"], "404");
    let (status, _) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(user("ada@acme.example")),
        )
        .await;
    assert_eq!(status, 201, "a deleted person's userName can be used again");
}

async fn user_names_are_unique_case_insensitively(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let (status, _) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(user("ada@acme.example")),
        )
        .await;
    assert_eq!(status, 201);
    let (status, error) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(user("ADA@Acme.Example")),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(error["scimType"], "uniqueness");
    let (status, other) = app
        .scim_json(
            Method::POST,
            "/Users",
            &token,
            Some(user("bob@acme.example")),
        )
        .await;
    assert_eq!(status, 201);
    let id = other["id"].as_str().expect("id");
    let (status, error) = app
        .scim_json(
            Method::PUT,
            &format!("/Users/{id}"),
            &token,
            Some(user("Ada@acme.example")),
        )
        .await;
    assert_eq!(
        (status, error["scimType"].clone()),
        (409, json!("uniqueness")),
        "a rename can't take a name either"
    );
}

async fn fifty_concurrent_creates_of_one_user_name_make_exactly_one_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let request = app
                .scim(Method::POST, "/Users", &token)
                .header("content-type", "application/scim+json")
                .body(user("race@acme.example").to_string());
            tokio::spawn(async move {
                let response = request.send().await.expect("send");
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.expect("task"));
    }
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let conflicts = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["scimType"] == "uniqueness")
        .count();
    assert_eq!(
        (created, conflicts),
        (1, 49),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let (_, list) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22race@acme.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(list["totalResults"], 1);
}

async fn etags_guard_writes_and_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let created = app.scim_create(&token, user("ada@acme.example")).await;
    let id = created["id"].as_str().expect("id");
    let version = created["meta"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let path = format!("/scim/v2/Users/{id}");
    let not_modified = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("if-none-match", &version)
        .send()
        .await
        .expect("send");
    assert_eq!(not_modified.status(), 304);
    let patch = patch_op(json!([{"op": "replace", "path": "displayName", "value": "Ada"}]));
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&token)
        .header("if-match", "W/\"999\"")
        .header("content-type", "application/scim+json")
        .body(patch.to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(stale.status(), 412);
    let fresh = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&token)
        .header("if-match", &version)
        .header("content-type", "application/scim+json")
        .body(patch.to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(fresh.status(), 200);
    let (_, now) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(now["displayName"], "Ada");
    let delete_stale = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&token)
        .header("if-match", &version)
        .send()
        .await
        .expect("send");
    assert_eq!(delete_stale.status(), 412, "the version moved on");
    let (_, still) = app
        .scim_json(
            Method::GET,
            "/Users?filter=emails.value%20eq%20%22ada@acme.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(still["totalResults"], 1, "a refused DELETE changes nothing");
}

async fn an_etag_that_is_not_ours_fails_the_precondition_and_a_malformed_one_is_a_bad_request(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let created = app.scim_create(&token, user("ada@acme.example")).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/Users/{id}");
    let patch = patch_op(json!([{"op": "replace", "path": "displayName", "value": "Eve"}]));
    let writes = [
        (Method::PUT, Some(user("eve@acme.example"))),
        (Method::PATCH, Some(patch)),
        (Method::DELETE, None),
    ];
    // RFC 7232 §3.1, RFC 7644 §3.14: a valid entity-tag that does not match is 412.
    for (if_match, expected) in [
        ("\"not-ours\"", 412),
        ("W/\"x\", W/\"y\"", 412),
        ("W/x", 400),
    ] {
        for (method, body) in &writes {
            let mut request = app
                .scim(method.clone(), &path, &token)
                .header("if-match", if_match);
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/scim+json")
                    .body(body.to_string());
            }
            let response = request.send().await.expect("send");
            assert_eq!(
                response.status().as_u16(),
                expected,
                "{method} with If-Match {if_match}"
            );
            let error: Value = response.json().await.expect("SCIM error");
            assert_eq!(error["status"], expected.to_string(), "{method} {if_match}");
        }
    }
    let (status, now) = app.scim_json(Method::GET, &path, &token, None).await;
    assert_eq!(status, 200, "refused writes change nothing");
    assert_eq!(now["userName"], "ada@acme.example");
    assert_eq!(now["meta"]["version"], created["meta"]["version"]);
}

/// (case, method, path, body, expected status, expected scimType)
type BadRequest = (
    &'static str,
    Method,
    String,
    Option<Value>,
    u16,
    Option<&'static str>,
);

async fn bad_requests_get_scim_errors_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let created = app.scim_create(&token, user("ada@acme.example")).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let patch = patch_op;
    let cases: Vec<BadRequest> = vec![
        (
            "no userName",
            Method::POST,
            "/Users".into(),
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})),
            400,
            Some("invalidValue"),
        ),
        (
            "invalid filter",
            Method::GET,
            "/Users?filter=userName%20eq".into(),
            None,
            400,
            Some("invalidFilter"),
        ),
        (
            "unknown operator",
            Method::GET,
            "/Users?filter=userName%20xx%20%22a%22".into(),
            None,
            400,
            Some("invalidFilter"),
        ),
        (
            "bad count",
            Method::GET,
            "/Users?count=lots".into(),
            None,
            400,
            Some("invalidValue"),
        ),
        (
            "remove without path",
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch(json!([{"op": "remove"}]))),
            400,
            Some("noTarget"),
        ),
        (
            "unknown op",
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch(json!([{"op": "frobnicate", "path": "displayName"}]))),
            400,
            None,
        ),
        (
            "bad path",
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch(
                json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
            )),
            400,
            Some("invalidPath"),
        ),
        (
            "read-only attribute",
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch(
                json!([{"op": "replace", "path": "id", "value": "x"}]),
            )),
            400,
            Some("mutability"),
        ),
        (
            "half-valid PATCH",
            Method::PATCH,
            format!("/Users/{id}"),
            Some(patch(json!([
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "active", "value": "maybe"}]))),
            400,
            Some("invalidValue"),
        ),
        (
            "PUT with another id",
            Method::PUT,
            format!("/Users/{id}"),
            Some(
                json!({"id": "other", "userName": "ada@acme.example", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}),
            ),
            400,
            Some("mutability"),
        ),
        (
            "unknown user",
            Method::GET,
            "/Users/00000000-0000-0000-0000-000000000000".into(),
            None,
            404,
            None,
        ),
        (
            "not a uuid",
            Method::GET,
            "/Users/nope".into(),
            None,
            404,
            None,
        ),
        (
            "unknown endpoint",
            Method::GET,
            "/Widgets".into(),
            None,
            404,
            None,
        ),
    ];
    for (case, method, path, body, status, scim_type) in cases {
        let (got, error) = app.scim_json(method, &path, &token, body).await;
        assert_eq!(got, status, "case: {case}: {error}");
        assert_eq!(
            error["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
            "case: {case}"
        );
        assert_eq!(error["status"], json!(status.to_string()), "case: {case}");
        if let Some(t) = scim_type {
            assert_eq!(error["scimType"], t, "case: {case}: {error}");
        }
    }
    let broken = app
        .scim(Method::POST, "/Users", &token)
        .header("content-type", "application/scim+json")
        .body("{\"userName\":")
        .send()
        .await
        .expect("send");
    assert_eq!(broken.status(), 400);
    let big = app
        .scim(Method::POST, "/Users", &token)
        .header("content-type", "application/scim+json")
        .body(json!({"userName": "x", "displayName": "x".repeat(100_000)}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(big.status(), 413);
    let (_, after) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), &token, None)
        .await;
    assert_eq!(
        after["meta"]["version"], created["meta"]["version"],
        "nothing changed"
    );
    assert!(after.get("displayName").is_none());
    let (_, list) = app.scim_json(Method::GET, "/Users", &token, None).await;
    assert_eq!(list["totalResults"], 1);
}

async fn tokens_are_required_and_scoped_to_their_organization(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = app.scim_create(&token, user("ada@acme.example")).await;
    for (case, header) in [
        ("none", None),
        ("basic", Some("Basic eDp5")),
        ("unknown", Some("Bearer gls_0000")),
        ("api token", Some("Bearer gla_00")),
    ] {
        let mut request = app.client.get(app.url("/scim/v2/Users"));
        if let Some(h) = header {
            request = request.header("authorization", h);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), 401, "case: {case}");
        assert!(
            response.headers().contains_key("www-authenticate"),
            "case: {case}"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["status"], "401", "case: {case}");
    }
    let store = &app.state.store;
    let acme = store.create_org("acme", "Acme", &[]).await.expect("org");
    let secret = golinks::domain::Secret::generate(golinks::domain::TokenKind::Scim);
    store
        .create_scim_token(acme, "other", &secret.digest())
        .await
        .expect("token");
    let other = secret.reveal();
    let id = ada["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(Method::GET, &format!("/Users/{id}"), other, None)
        .await;
    assert_eq!(
        status, 404,
        "another organization's person does not exist for this token"
    );
    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Users/{id}"), other, None)
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.scim_json(Method::GET, "/Users", other, None).await;
    assert_eq!(list["totalResults"], 0);
    let org = store.find_org_by_slug("default").await.expect("org");
    store
        .revoke_scim_tokens(org.id, "test-idp")
        .await
        .expect("revoke");
    let (status, _) = app.scim_json(Method::GET, "/Users", &token, None).await;
    assert_eq!(status, 401, "a revoked token stops working at once");
}

/// A server remembers SCIM tokens it has seen; a revocation through another process (the
/// CLI, another replica) reaches it with the organization's change sequence.
async fn a_token_revoked_by_another_process_is_refused_after_its_next_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    for _ in 0..2 {
        assert_eq!(
            app.scim_json(Method::GET, "/Users", &token, None).await.0,
            200
        );
    }
    let other = Store::open(&app.db.url)
        .await
        .expect("another process's store");
    let org = other.find_org_by_slug("default").await.expect("org").id;
    other
        .revoke_scim_tokens(org, "test-idp")
        .await
        .expect("revoke");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.scim_json(Method::GET, "/Users", &token, None).await.0 != 401 {
        assert!(
            std::time::Instant::now() < deadline,
            "the revoked token is still accepted after 10 s (the sync runs every 200 ms)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    a_user_is_created_read_replaced_and_deleted,
    a_token_revoked_by_another_process_is_refused_after_its_next_sync,
    user_names_are_unique_case_insensitively,
    fifty_concurrent_creates_of_one_user_name_make_exactly_one_person,
    etags_guard_writes_and_reads,
    an_etag_that_is_not_ours_fails_the_precondition_and_a_malformed_one_is_a_bad_request,
    bad_requests_get_scim_errors_and_change_nothing,
    tokens_are_required_and_scoped_to_their_organization,
);
