//! Listing people and groups: index and cursor paging (RFC 7644 §3.4.2.4, RFC 9865), sorting
//! (§3.4.2.3), projection, and POST .search.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_groups::{GROUP_URN, person};
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

/// The displayNames of a list's resources, in order.
fn display_names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .map(|r| r["displayName"].as_str().expect("displayName").to_owned())
        .collect()
}

async fn group_lists_sort_by_display_name_and_other_columns_then_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let zed = person(&app, &token, "zed@acme.example").await;
    let amy = person(&app, &token, "amy@acme.example").await;
    // (displayName, externalId, members): created out of every order asked for below.
    for (name, external, members) in [
        ("delta", Some("x2"), vec![amy.as_str()]),
        ("Alpha", Some("x3"), vec![]),
        ("charlie", None, vec![]),
        ("Bravo", Some("x1"), vec![zed.as_str()]),
        ("echo", None, vec![]),
    ] {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let mut body = json!({"schemas": [GROUP_URN], "displayName": name, "members": members});
        if let Some(external) = external {
            body["externalId"] = json!(external);
        }
        let (status, created) = app
            .scim_json(Method::POST, "/Groups", &token, Some(body))
            .await;
        assert_eq!(status, 201, "{created}");
    }
    let list = async |query: &str| {
        let (status, list) = app
            .scim_json(Method::GET, &format!("/Groups?{query}"), &token, None)
            .await;
        assert_eq!(status, 200, "{query}: {list}");
        list
    };
    let (_, unsorted) = app.scim_json(Method::GET, "/Groups", &token, None).await;

    let cases: [(&str, &[&str], &str); 8] = [
        (
            "sortBy=displayName",
            &["Alpha", "Bravo", "charlie", "delta", "echo"],
            "ascending by default, ignoring case",
        ),
        (
            "sortBy=displayName&sortOrder=descending",
            &["echo", "delta", "charlie", "Bravo", "Alpha"],
            "descending",
        ),
        (
            "sortBy=displayName&count=2&startIndex=3",
            &["charlie", "delta"],
            "sorted, then paged",
        ),
        (
            "sortBy=displayName&sortOrder=Descending&count=2&startIndex=2",
            &["delta", "charlie"],
            "descending, then paged; sortOrder in any case",
        ),
        (
            "sortBy=urn:ietf:params:scim:schemas:core:2.0:Group:DISPLAYNAME&count=1",
            &["Alpha"],
            "the attribute by its full name, in any case",
        ),
        (
            "sortBy=displayName&filter=displayName%20sw%20%22e%22%20or%20displayName%20sw%20%22a%22",
            &["Alpha", "echo"],
            "with a filter",
        ),
        (
            "sortBy=members.display&count=2",
            &["delta", "Bravo"],
            "an attribute that is no column: sorted in memory, those without it last",
        ),
        (
            "sortBy=members.display&sortOrder=descending&count=2",
            &["Bravo", "delta"],
            "in memory, descending",
        ),
    ];
    for (query, expected, why) in cases {
        assert_eq!(
            display_names(&list(query).await),
            expected,
            "{why}: {query}"
        );
    }

    let by_external = display_names(&list("sortBy=externalId").await);
    assert_eq!(
        by_external[..3],
        ["Bravo", "delta", "Alpha"],
        "{by_external:?}"
    );
    let by_external = display_names(&list("sortBy=externalId&sortOrder=descending").await);
    assert_eq!(
        by_external[..3],
        ["Alpha", "delta", "Bravo"],
        "{by_external:?}"
    );
    let mut without: Vec<&str> = by_external[3..].iter().map(String::as_str).collect();
    without.sort_unstable();
    assert_eq!(without, ["charlie", "echo"], "groups without one come last");

    let paged = list("sortBy=displayName&sortOrder=descending&count=2&startIndex=2").await;
    assert_eq!(
        (
            paged["totalResults"].clone(),
            paged["startIndex"].clone(),
            paged["itemsPerPage"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );

    for attribute in ["meta.created", "meta.lastModified"] {
        for (order, descending) in [("ascending", false), ("descending", true)] {
            let sorted = list(&format!("sortBy={attribute}&sortOrder={order}")).await;
            let times: Vec<time::OffsetDateTime> = sorted["Resources"]
                .as_array()
                .expect("Resources")
                .iter()
                .map(|r| {
                    let at = r["meta"][&attribute[5..]].as_str().expect("time");
                    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                        .expect("RFC 3339")
                })
                .collect();
            assert_eq!(times.len(), 5);
            let in_order = times.windows(2).all(|w| {
                if descending {
                    w[0] >= w[1]
                } else {
                    w[0] <= w[1]
                }
            });
            assert!(in_order, "{attribute} {order}: {times:?}");
        }
    }
    let by_id = list("sortBy=id").await;
    let ids: Vec<&str> = by_id["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // As for Users: an attribute Groups do not have sorts nothing (every value is missing),
    // and a sort cannot be combined with a cursor.
    assert_eq!(
        display_names(&list("sortBy=nickName").await),
        display_names(&unsorted)
    );
    let (status, error) = app
        .scim_json(
            Method::GET,
            "/Groups?cursor=&sortBy=displayName",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, error["scimType"].clone()),
        (400, json!("invalidValue")),
        "{error}"
    );
    let (status, error) = app
        .scim_json(
            Method::GET,
            "/Groups?sortBy=displayName&sortOrder=up",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, error["scimType"].clone()),
        (400, json!("invalidValue")),
        "{error}"
    );

    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                        "sortBy": "displayName", "sortOrder": "descending", "count": 2});
    let (status, found) = app
        .scim_json(Method::POST, "/Groups/.search", &token, Some(search))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(display_names(&found), ["echo", "delta"]);
}

on_both_backends!(
    lists_page_by_index_and_by_cursor_sort_and_project,
    group_lists_sort_by_display_name_and_other_columns_then_page,
);
