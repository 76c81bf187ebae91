//! The provisioning log as an admin reads it: what each SCIM request did in words, the
//! attributes before and after, and each token's activity with its warnings.

use golinks::domain::{Email, OrgId, Role, Secret, TokenKind};
use golinks::store::{LogEntry, LogQuery, Store};
use reqwest::Method;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::on_both_backends;
use crate::scim_groups::{group, person};
use crate::support::{Backend, TestApp, patch_op};

fn dana() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "dana@acme.example",
        "displayName": "Dana Quist",
        "name": {"givenName": "Dana", "familyName": "Quist"},
        "emails": [{"value": "dana@acme.example", "type": "work", "primary": true}],
        "active": true
    })
}

/// The log, oldest first.
async fn log(store: &Store, org: OrgId) -> Vec<LogEntry> {
    let query = LogQuery {
        limit: 100,
        ..Default::default()
    };
    let mut entries = store.provisioning_log(org, &query).await.expect("log");
    entries.reverse();
    entries
}

fn summaries(entries: &[LogEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.summary.clone().unwrap_or_default())
        .collect()
}

/// The stored detail of an entry.
fn changes(entry: &LogEntry) -> Value {
    serde_json::from_str(entry.changes.as_deref().expect("changes")).expect("json")
}

/// A session cookie of a new admin of the default organization.
async fn admin_cookie(app: &TestApp, org: OrgId) -> String {
    let email = Email::try_from("root@acme.example").expect("email");
    let admin = app
        .state
        .store
        .create_user(org, &email, None, Role::Admin)
        .await
        .expect("admin");
    app.session_cookie(org, admin.id).await
}

async fn admin_page(app: &TestApp, cookie: &str) -> String {
    let page = app
        .get("/_/admin/log")
        .header("cookie", cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
    page.text().await.expect("body")
}

async fn people_changes_are_summarized_with_before_and_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let created = app.scim_create(&token, dana()).await;
    let id = created["id"].as_str().expect("id");
    let patch = |ops: Value| (Method::PATCH, format!("/Users/{id}"), Some(patch_op(ops)));
    let requests = [
        patch(json!([{"op": "replace", "path": "active", "value": false}])),
        patch(json!([{"op": "replace", "path": "displayName", "value": "Dana Q. Smith"}])),
        patch(json!([{"op": "replace", "path": "title", "value": "CFO"}])),
        (Method::POST, "/Users".to_owned(), Some(dana())),
    ];
    for (method, path, body) in requests {
        app.scim_json(method, &path, &token, body).await;
    }
    app.scim_json(Method::GET, "/Users", "gls_wrong", None)
        .await;
    let entries = log(store, org).await;
    assert_eq!(
        summaries(&entries),
        [
            "Created Dana Quist",
            "Deactivated Dana Quist (active true → false)",
            "Renamed Dana Quist to Dana Q. Smith",
            "Updated Dana Q. Smith: title",
            "Refused: userName \"dana@acme.example\" is already taken",
            "Refused: bad token",
        ]
    );
    // The create's row is written in the create's own transaction, with what the
    // middleware writes for any other request.
    let create = &entries[0];
    assert_eq!(
        (create.method.as_str(), create.path.as_str(), create.status),
        ("POST", "/scim/v2/Users", 201)
    );
    assert_eq!(create.user_id.map(|u| u.to_string()).as_deref(), Some(id));
    assert_eq!(create.user_name.as_deref(), Some("dana@acme.example"));
    assert!(create.token_id.is_some() && create.token_name.is_some());
    assert_eq!(
        changes(create)["attributes"][0],
        json!({"attribute": "userName", "before": null, "after": "dana@acme.example"})
    );
    assert_eq!(
        changes(&entries[1])["attributes"],
        json!([{"attribute": "active", "before": true, "after": false}])
    );
    assert_eq!(
        changes(&entries[2])["attributes"],
        json!([{"attribute": "displayName", "before": "Dana Quist", "after": "Dana Q. Smith"}])
    );
    assert!(entries[4].changes.is_none(), "a refusal changed nothing");
    let page = admin_page(&app, &admin_cookie(&app, org).await).await;
    assert!(
        page.contains("<summary>Deactivated Dana Quist (active true → false)</summary>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><td class=\"mono\">active</td><td>true</td><td>false</td></tr>"),
        "the row's detail shows before and after: {page}"
    );
    assert!(page.contains("Refused: bad token"));
}

async fn group_changes_are_summarized_with_members_added_and_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let ada = person(&app, &token, "ada@acme.example").await;
    let ben = person(&app, &token, "ben@acme.example").await;
    let cy = person(&app, &token, "cy@acme.example").await;
    let finance = group(&app, &token, "Finance", &[]).await;
    let id = finance["id"].as_str().expect("id");
    let path = format!("/Groups/{id}");
    let add = |ids: &[&str]| {
        let members: Vec<Value> = ids.iter().map(|m| json!({"value": m})).collect();
        patch_op(json!([{"op": "add", "path": "members", "value": members}]))
    };
    let bodies = [
        add(&[&ada, &ben, &cy]),
        add(&[&ada]),
        patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{ben}\"]")}])),
        patch_op(json!([{"op": "replace", "path": "displayName", "value": "Finance EMEA"}])),
        add(&[&ben, "not-a-person"]),
    ];
    for body in bodies {
        app.scim_json(Method::PATCH, &path, &token, Some(body))
            .await;
    }
    let (status, _) = app.scim_json(Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 204);
    let entries = log(store, org).await;
    let groups: Vec<String> = summaries(&entries).into_iter().skip(3).collect();
    assert_eq!(
        groups,
        [
            "Created group Finance",
            "Added 3 members to Finance",
            "No change to group Finance",
            "Removed 1 member from Finance",
            "Renamed Finance to Finance EMEA",
            "Refused: member \"not-a-person\" is not a User of this organization; nothing was changed",
            "Deleted group Finance EMEA",
        ]
    );
    let added = changes(&entries[4]);
    assert_eq!(added["added"], 3);
    let names: Vec<&str> = added["added_members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Ada Lovelace"; 3], "named as the log names people");
    assert_eq!(changes(&entries[6])["removed_members"][0]["id"], json!(ben));
    assert_eq!(
        changes(&entries[7])["attributes"],
        json!([{"attribute": "displayName", "before": "Finance", "after": "Finance EMEA"}])
    );
    let page = admin_page(&app, &admin_cookie(&app, org).await).await;
    assert!(
        page.contains("<summary>Added 3 members to Finance</summary>"),
        "{page}"
    );
    assert!(page.contains("Removed: Ada Lovelace"), "{page}");
}

/// A log row of `token` written directly, at `at`.
async fn logged(store: &Store, org: OrgId, token: (Uuid, &str), at: OffsetDateTime, status: i32) {
    let entry = LogEntry {
        at,
        token_id: Some(token.0),
        token_name: Some(token.1.to_owned()),
        method: "PATCH".into(),
        path: "/scim/v2/Users/x".into(),
        user_id: None,
        user_name: None,
        status,
        scim_type: None,
        detail: None,
        duration_ms: 1,
        summary: None,
        changes: None,
    };
    store
        .append_provisioning_log(org, &entry)
        .await
        .expect("log");
}

async fn scim_token(store: &Store, org: OrgId, name: &str) -> Uuid {
    let secret = Secret::generate(TokenKind::Scim);
    let info = store
        .create_scim_token(org, name, &secret.digest())
        .await
        .expect("token");
    info.id.as_uuid()
}

async fn the_overview_counts_each_tokens_requests_and_warns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let steady = (scim_token(store, org, "entra-steady").await, "entra-steady");
    let silent = (scim_token(store, org, "entra-silent").await, "entra-silent");
    let failing = (scim_token(store, org, "okta-failing").await, "okta-failing");
    scim_token(store, org, "never-used").await;
    let now = OffsetDateTime::now_utc();
    let ago = |minutes: i64| now - Duration::minutes(minutes);
    // Every 40 minutes; the last 10 minutes ago, one failure today, two rows yesterday.
    for (minutes, status) in [(10, 200), (50, 409), (90, 200), (1500, 200), (1540, 200)] {
        logged(store, org, steady, ago(minutes), status).await;
    }
    // Every 40 minutes until 3 hours ago.
    for minutes in [180, 220, 260, 300] {
        logged(store, org, silent, ago(minutes), 200).await;
    }
    // 25 requests a minute apart, the newest 15 failed.
    for minutes in 1..=25 {
        logged(
            store,
            org,
            failing,
            ago(minutes),
            if minutes <= 15 { 401 } else { 200 },
        )
        .await;
    }
    let activity = store.scim_token_activity(org, now).await.expect("overview");
    let row = |name: &str| {
        let token = activity.iter().find(|t| t.name == name).expect(name);
        let warnings = golinks::provisioning::token_health::warnings(token, now);
        (
            token.requests_24h,
            token.failures_24h,
            token.recent.len(),
            warnings,
        )
    };
    let (requests, failures, recent, warnings) = row("entra-steady");
    assert_eq!((requests, failures, recent), (3, 1, 5));
    assert!(warnings.is_empty(), "{warnings:?}");
    let (requests, _, _, warnings) = row("entra-silent");
    assert_eq!(requests, 4);
    assert_eq!(
        warnings,
        ["Silent for 3 h: it usually sends a request every 40 min"]
    );
    let (requests, failures, recent, warnings) = row("okta-failing");
    assert_eq!(
        (requests, failures, recent),
        (25, 15, 20),
        "the last 20 are read"
    );
    assert_eq!(warnings, ["15 of its last 20 requests failed"]);
    let (requests, _, recent, warnings) = row("never-used");
    assert_eq!((requests, recent), (0, 0));
    assert!(
        warnings.is_empty(),
        "a token that never pushed is not silent"
    );
    let page = admin_page(&app, &admin_cookie(&app, org).await).await;
    assert!(page.contains("Silent for 3 h"), "{page}");
    assert!(page.contains("15 of its last 20 requests failed"), "{page}");
}

on_both_backends!(
    people_changes_are_summarized_with_before_and_after,
    group_changes_are_summarized_with_members_added_and_removed,
    the_overview_counts_each_tokens_requests_and_warns,
);
