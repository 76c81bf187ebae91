//! Listing people: index and cursor paging (RFC 7644 §3.4.2.4, RFC 9865), sorting,
//! projection, and POST .search.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::scim_users::user;
use crate::support::{Backend, TestApp};

async fn lists_page_by_index_and_by_cursor_sort_and_project(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    for name in [
        "carol@acme.example",
        "Alice@acme.example",
        "bob@acme.example",
        "dave@acme.example",
        "erin@acme.example",
    ] {
        let (status, _) = app
            .scim_json(Method::POST, "/Users", &token, Some(user(name)))
            .await;
        assert_eq!(status, 201);
    }
    let (_, sorted) = app
        .scim_json(
            Method::GET,
            "/Users?sortBy=userName&sortOrder=descending&count=2&startIndex=2",
            &token,
            None,
        )
        .await;
    let names: Vec<&str> = sorted["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|r| r["userName"].as_str())
        .collect();
    assert_eq!(
        names,
        ["dave@acme.example", "carol@acme.example"],
        "sorted case-insensitively, then paged"
    );
    assert_eq!(
        (
            sorted["totalResults"].clone(),
            sorted["startIndex"].clone(),
            sorted["itemsPerPage"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    let (_, by_name) = app
        .scim_json(
            Method::GET,
            "/Users?sortBy=name.familyName&filter=userName%20sw%20%22a%22",
            &token,
            None,
        )
        .await;
    assert_eq!(
        by_name["totalResults"], 1,
        "sorting by any attribute, with a filter"
    );

    // RFC 9865: an empty cursor asks for the first page; nextCursor leads on until the end.
    let (mut seen, mut cursor, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let (status, page) = app
            .scim_json(
                Method::GET,
                &format!("/Users?count=2&cursor={cursor}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(
            page["Resources"]
                .as_array()
                .expect("Resources")
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned)),
        );
        match page["nextCursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
        assert!(pages < 10, "cursor paging ends");
    }
    assert_eq!((seen.len(), pages), (5, 3));
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 5, "no one twice");
    let (status, error) = app
        .scim_json(
            Method::GET,
            "/Users?cursor=&sortBy=displayName",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, error["scimType"].clone()),
        (400, json!("invalidValue"))
    );
    let (_, first) = app
        .scim_json(
            Method::GET,
            "/Users?cursor=&count=2&filter=name.givenName%20pr",
            &token,
            None,
        )
        .await;
    let next = first["nextCursor"].as_str().expect("next").to_owned();
    let (_, second) = app
        .scim_json(
            Method::GET,
            &format!("/Users?cursor={next}&count=2&filter=name.givenName%20pr"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (
            first["totalResults"].clone(),
            second["totalResults"].clone()
        ),
        (json!(5), json!(5)),
        "the total of everyone matching, on every page"
    );
    let (status, error) = app
        .scim_json(Method::GET, "/Users?cursor=garbage", &token, None)
        .await;
    assert_eq!(
        (status, error["scimType"].clone()),
        (400, json!("invalidValue"))
    );

    let (_, projected) = app
        .scim_json(
            Method::GET,
            "/Users?attributes=userName,emails.value&count=1",
            &token,
            None,
        )
        .await;
    let first = &projected["Resources"][0];
    assert!(
        first["id"].is_string() && first["userName"].is_string(),
        "{first}"
    );
    assert!(
        first.get("name").is_none() && first.get("meta").is_none(),
        "only what was asked, and id: {first}"
    );
    assert!(
        first["emails"][0].get("type").is_none(),
        "sub-attributes too: {first}"
    );
    let (_, excluded) = app
        .scim_json(
            Method::GET,
            "/Users?excludedAttributes=name,emails&count=1",
            &token,
            None,
        )
        .await;
    assert!(
        excluded["Resources"][0].get("name").is_none()
            && excluded["Resources"][0]["userName"].is_string()
    );

    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                        "filter": "emails.value ew \"@acme.example\" and userName sw \"B\"",
                        "attributes": ["userName"], "startIndex": 1, "count": 10});
    for path in ["/Users/.search", "/.search"] {
        let (status, found) = app
            .scim_json(Method::POST, path, &token, Some(search.clone()))
            .await;
        assert_eq!(status, 200, "{path}: {found}");
        assert_eq!(found["totalResults"], 1, "{path}");
        assert_eq!(found["Resources"][0]["userName"], "bob@acme.example");
    }
}

on_both_backends!(lists_page_by_index_and_by_cursor_sort_and_project);
