//! SCIM Groups: the protocol's own behaviour (RFC 7643 §4.2, RFC 7644), on both backends.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_users::user;
use crate::support::{Backend, TestApp, patch_op};

pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Creates a person and returns their id.
pub async fn person(app: &TestApp, token: &str, name: &str) -> String {
    let created = app.scim_create(token, user(name)).await;
    created["id"].as_str().expect("id").to_owned()
}

/// Creates a group with these members and returns its JSON (and asserts the 201).
pub async fn group(app: &TestApp, token: &str, name: &str, members: &[&str]) -> Value {
    let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
    let (status, created) = app
        .scim_json(
            Method::POST,
            "/Groups",
            token,
            Some(json!({"schemas": [GROUP_URN], "displayName": name, "members": members})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

/// The member ids of a group, as a full GET shows them, sorted.
pub async fn member_ids(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let (status, group) = app
        .scim_json(Method::GET, &format!("/Groups/{id}"), token, None)
        .await;
    assert_eq!(status, 200, "{group}");
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| m["value"].as_str().expect("value").to_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

pub fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

async fn a_group_is_created_read_replaced_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let response = app
        .scim(Method::POST, "/Groups", &token)
        .header("content-type", "application/scim+json")
        .body(
            json!({"schemas": [GROUP_URN], "displayName": "Engineering", "externalId": "00g1",
                   "members": [{"value": ada}]})
            .to_string(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("http://{}/scim/v2/Groups/{id}", app.addr));
    assert_eq!(created["meta"]["resourceType"], "Group");
    assert_eq!(created["externalId"], "00g1");
    let ada_ref = format!("http://{}/scim/v2/Users/{ada}", app.addr);
    assert_eq!(
        created["members"],
        json!([{"value": ada, "$ref": ada_ref, "type": "User"}]),
        "a member reads back as it was written; display is returned on request"
    );
    for asked in ["members", "members.display"] {
        let (_, shown) = app
            .scim_json(
                Method::GET,
                &format!("/Groups/{id}?attributes={asked}"),
                &token,
                None,
            )
            .await;
        assert_eq!(
            shown["members"][0]["display"], "ada@acme.example",
            "{asked}: {shown}"
        );
    }

    let (status, replaced) = app
        .scim_json(
            Method::PUT,
            &format!("/Groups/{id}"),
            &token,
            Some(
                json!({"schemas": [GROUP_URN], "id": id, "displayName": "Eng",
                        "members": [{"value": bob}]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["displayName"], "Eng");
    assert!(
        replaced.get("externalId").is_none(),
        "PUT replaces everything"
    );
    assert_eq!(member_ids(&app, &token, &id).await, sorted(&[&bob]));

    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Groups/{id}"), &token, None)
        .await;
    assert_eq!(status, 204);
    let (status, error) = app
        .scim_json(Method::GET, &format!("/Groups/{id}"), &token, None)
        .await;
    assert_eq!(status, 404, "{error}");
    let (_, bob_now) = app
        .scim_json(Method::GET, &format!("/Users/{bob}"), &token, None)
        .await;
    assert!(bob_now.get("groups").is_none(), "{bob_now}");
}

async fn display_names_are_unique_case_insensitively(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    group(&app, &token, "Engineering", &[]).await;
    let (status, error) = app
        .scim_json(
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"schemas": [GROUP_URN], "displayName": "ENGINEERING"})),
        )
        .await;
    assert_eq!((status, &error["scimType"]), (409, &json!("uniqueness")));
    let other = group(&app, &token, "Sales", &[]).await;
    let (status, error) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{}", other["id"].as_str().expect("id")),
            &token,
            Some(patch_op(
                json!([{"op": "replace", "path": "displayName", "value": "engineering"}]),
            )),
        )
        .await;
    assert_eq!((status, &error["scimType"]), (409, &json!("uniqueness")));
    let (_, list) = app.scim_json(Method::GET, "/Groups", &token, None).await;
    assert_eq!(list["totalResults"], 2);
}

async fn unknown_members_and_groups_as_members_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada]).await;
    let eng_id = eng["id"].as_str().expect("id").to_owned();
    let nobody = "2f1c1a52-8bb8-4f43-9a3b-0d8f0f4d9e11";
    for (bad, what) in [
        (nobody.to_owned(), "not a User"),
        ("not-a-uuid".to_owned(), "not a User"),
        (eng_id.clone(), "is a Group"),
    ] {
        let (status, error) = app
            .scim_json(
                Method::PATCH,
                &format!("/Groups/{eng_id}"),
                &token,
                Some(patch_op(json!([
                    {"op": "replace", "path": "displayName", "value": "Renamed"},
                    {"op": "add", "path": "members", "value": [{"value": bob}, {"value": bad}]},
                ]))),
            )
            .await;
        assert_eq!((status, &error["scimType"]), (400, &json!("invalidValue")));
        let detail = error["detail"].as_str().expect("detail");
        assert!(detail.contains(&bad) && detail.contains(what), "{detail}");
        let (_, now) = app
            .scim_json(Method::GET, &format!("/Groups/{eng_id}"), &token, None)
            .await;
        assert_eq!(now["displayName"], "Engineering", "nothing changed");
        assert_eq!(now["meta"]["version"], eng["meta"]["version"]);
        assert_eq!(member_ids(&app, &token, &eng_id).await, sorted(&[&ada]));
    }
    let (status, error) = app
        .scim_json(
            Method::POST,
            "/Groups",
            &token,
            Some(json!({"schemas": [GROUP_URN], "displayName": "Ops",
                        "members": [{"value": ada}, {"value": nobody}]})),
        )
        .await;
    assert_eq!((status, &error["scimType"]), (400, &json!("invalidValue")));
    let (_, list) = app
        .scim_json(
            Method::GET,
            "/Groups?filter=displayName%20eq%20%22Ops%22",
            &token,
            None,
        )
        .await;
    assert_eq!(list["totalResults"], 0, "the group was not created");
}

async fn membership_changes_are_idempotent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada]).await;
    let id = eng["id"].as_str().expect("id");
    for ops in [
        json!([{"op": "add", "path": "members", "value": [{"value": ada}]}]),
        json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]),
    ] {
        let response = app
            .scim(Method::PATCH, &format!("/Groups/{id}"), &token)
            .header("content-type", "application/scim+json")
            .body(patch_op(ops).to_string())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 204);
        assert_eq!(
            response.headers()["etag"].to_str().expect("etag"),
            eng["meta"]["version"].as_str().expect("version"),
            "nothing changed, not even the version"
        );
    }
    assert_eq!(member_ids(&app, &token, id).await, sorted(&[&ada]));
}

async fn lists_filter_page_and_leave_members_out_when_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada, &bob]).await;
    group(&app, &token, "Sales", &[&bob]).await;
    group(&app, &token, "Empty", &[]).await;
    let eng_id = eng["id"].as_str().expect("id");
    let names = |list: &Value| -> Vec<String> {
        let mut names: Vec<String> = list["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .map(|g| g["displayName"].as_str().expect("name").to_owned())
            .collect();
        names.sort();
        names
    };
    for (filter, expected) in [
        (
            "displayName eq \"engineering\"".to_owned(),
            vec!["Engineering"],
        ),
        (format!("members.value eq \"{ada}\""), vec!["Engineering"]),
        (
            format!("members eq \"{bob}\""),
            vec!["Engineering", "Sales"],
        ),
        (format!("id eq \"{eng_id}\""), vec!["Engineering"]),
        (
            "displayName sw \"e\"".to_owned(),
            vec!["Empty", "Engineering"],
        ),
        (
            "members.display eq \"bob@acme.example\"".to_owned(),
            vec!["Engineering", "Sales"],
        ),
        ("not (members pr)".to_owned(), vec!["Empty"]),
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        let (status, list) = app
            .scim_json(
                Method::GET,
                &format!("/Groups?filter={encoded}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(names(&list), expected, "{filter}");
        assert_eq!(list["totalResults"], expected.len(), "{filter}");
    }
    let (_, page) = app
        .scim_json(Method::GET, "/Groups?startIndex=2&count=1", &token, None)
        .await;
    assert_eq!(
        (page["totalResults"].clone(), page["itemsPerPage"].clone()),
        (json!(3), json!(1))
    );
    let (_, first) = app
        .scim_json(Method::GET, "/Groups?cursor=&count=2", &token, None)
        .await;
    let next = first["nextCursor"].as_str().expect("nextCursor");
    let (_, second) = app
        .scim_json(
            Method::GET,
            &format!("/Groups?cursor={next}&count=2"),
            &token,
            None,
        )
        .await;
    assert_eq!(second["Resources"].as_array().map(Vec::len), Some(1));

    let (_, lean) = app
        .scim_json(
            Method::GET,
            "/Groups?excludedAttributes=members&filter=displayName%20eq%20%22Engineering%22",
            &token,
            None,
        )
        .await;
    assert!(lean["Resources"][0].get("members").is_none(), "{lean}");
    assert_eq!(lean["Resources"][0]["id"], json!(eng_id));
    let (_, only) = app
        .scim_json(
            Method::GET,
            &format!("/Groups/{eng_id}?attributes=displayName"),
            &token,
            None,
        )
        .await;
    assert!(only.get("members").is_none() && only["displayName"] == "Engineering");
    let (_, searched) = app
        .scim_json(
            Method::POST,
            "/Groups/.search",
            &token,
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                        "filter": format!("members.value eq \"{ada}\""),
                        "excludedAttributes": ["members"]}),
            ),
        )
        .await;
    assert_eq!(searched["totalResults"], 1, "{searched}");
}

async fn people_show_their_groups_and_leave_them_when_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada, &bob]).await;
    let eng_id = eng["id"].as_str().expect("id");
    let (_, read) = app
        .scim_json(Method::GET, &format!("/Users/{ada}"), &token, None)
        .await;
    assert_eq!(
        read["groups"],
        json!([{"value": eng_id, "$ref": format!("http://{}/scim/v2/Groups/{eng_id}", app.addr),
                "display": "Engineering", "type": "direct"}])
    );
    let (_, list) = app.scim_json(Method::GET, "/Users", &token, None).await;
    for u in list["Resources"].as_array().expect("Resources") {
        assert_eq!(u["groups"][0]["value"], json!(eng_id), "{u}");
    }
    let (_, lean) = app
        .scim_json(
            Method::GET,
            "/Users?excludedAttributes=groups",
            &token,
            None,
        )
        .await;
    assert!(lean["Resources"][0].get("groups").is_none());

    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Users/{ada}"), &token, None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(member_ids(&app, &token, eng_id).await, sorted(&[&bob]));
    let (_, now) = app
        .scim_json(Method::GET, &format!("/Groups/{eng_id}"), &token, None)
        .await;
    assert_ne!(
        now["meta"]["version"], eng["meta"]["version"],
        "members changed"
    );
}

async fn etags_guard_group_writes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let eng = group(&app, &token, "Engineering", &[]).await;
    let id = eng["id"].as_str().expect("id");
    let version = eng["meta"]["version"].as_str().expect("version");
    let not_modified = app
        .scim(Method::GET, &format!("/Groups/{id}"), &token)
        .header("if-none-match", version)
        .send()
        .await
        .expect("send");
    assert_eq!(not_modified.status(), 304);
    let stale = app
        .scim(Method::PATCH, &format!("/Groups/{id}"), &token)
        .header("if-match", "W/\"999\"")
        .header("content-type", "application/scim+json")
        .body(patch_op(json!([{"op": "replace", "path": "displayName", "value": "X"}])).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(stale.status(), 412);
    let stale = app
        .scim(Method::DELETE, &format!("/Groups/{id}"), &token)
        .header("if-match", "W/\"999\"")
        .send()
        .await
        .expect("send");
    assert_eq!(stale.status(), 412);
    let fresh = app
        .scim(Method::DELETE, &format!("/Groups/{id}"), &token)
        .header("if-match", version)
        .send()
        .await
        .expect("send");
    assert_eq!(fresh.status(), 204);
}

/// A person's groups are read with the person (one query): in displayName order, and left
/// out for someone in none (RFC 7643 §2.5), in a GET, a list and a filtered look-up alike.
async fn a_persons_groups_come_in_display_name_order_and_none_is_left_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let bob = person(&app, &token, "bob@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada]).await;
    let design = group(&app, &token, "design", &[&ada]).await;
    let gone = group(&app, &token, "Archive", &[&ada]).await;
    let gone_id = gone["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Groups/{gone_id}"), &token, None)
        .await;
    assert_eq!(status, 204);
    let expected = json!([design["id"], eng["id"]]);
    let ids = |u: &Value| -> Value {
        u["groups"]
            .as_array()
            .map(|g| g.iter().map(|g| g["value"].clone()).collect())
            .unwrap_or(Value::Null)
    };
    let (_, read) = app
        .scim_json(Method::GET, &format!("/Users/{ada}"), &token, None)
        .await;
    assert_eq!(ids(&read), expected, "{read}");
    assert_eq!(read["groups"][0]["display"], "design");
    let (_, looked_up) = app
        .scim_json(
            Method::GET,
            "/Users?filter=userName%20eq%20%22ada@acme.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(ids(&looked_up["Resources"][0]), expected, "{looked_up}");
    let (_, bob_read) = app
        .scim_json(Method::GET, &format!("/Users/{bob}"), &token, None)
        .await;
    assert!(bob_read.get("groups").is_none(), "{bob_read}");
    let (_, list) = app.scim_json(Method::GET, "/Users", &token, None).await;
    let bob_listed = list["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .find(|u| u["id"] == json!(bob))
        .expect("bob listed");
    assert!(bob_listed.get("groups").is_none(), "{bob_listed}");
}

async fn group_changes_and_failures_are_in_the_provisioning_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let eng = group(&app, &token, "Engineering", &[]).await;
    let id = eng["id"].as_str().expect("id");
    let (status, _) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{id}"),
            &token,
            Some(patch_op(
                json!([{"op": "add", "path": "members", "value": [{"value": "nope"}]}]),
            )),
        )
        .await;
    assert_eq!(status, 400);
    let store = &app.state.store;
    let org = store.find_org_by_slug("default").await.expect("org");
    let query = golinks::store::LogQuery {
        since: None,
        failed_only: false,
        person: None,
        limit: 100,
    };
    let log = store.provisioning_log(org.id, &query).await.expect("log");
    let created = log
        .iter()
        .find(|e| e.method == "POST" && e.path == "/scim/v2/Groups")
        .expect("the create is logged");
    assert_eq!(created.status, 201);
    assert!(
        created
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("Engineering"))
    );
    let refused = log
        .iter()
        .find(|e| e.method == "PATCH" && e.path == format!("/scim/v2/Groups/{id}"))
        .expect("the refused PATCH is logged");
    assert_eq!(refused.status, 400);
    assert_eq!(refused.scim_type.as_deref(), Some("invalidValue"));
}

async fn lenient_paths_and_attribute_lists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = person(&app, &token, "ada@acme.example").await;
    let eng = group(&app, &token, "Engineering", &[&ada]).await;
    let eng_id = eng["id"].as_str().expect("id");
    for path in ["/users", "/Users/", "/USERS/", "/groups", "/Groups/"] {
        let (status, list) = app.scim_json(Method::GET, path, &token, None).await;
        assert_eq!((status, &list["totalResults"]), (200, &json!(1)), "{path}");
    }
    let (status, read) = app
        .scim_json(Method::GET, &format!("/groups/{eng_id}"), &token, None)
        .await;
    assert_eq!((status, &read["displayName"]), (200, &json!("Engineering")));
    let (status, _) = app.scim_json(Method::GET, "/nothing", &token, None).await;
    assert_eq!(status, 404);
    let (status, projected) = app
        .scim_json(
            Method::GET,
            &format!("/Users/{ada}?attributes=emails%5Btype%20eq%20%22work%22%5D"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{projected}");
    assert_eq!(projected["emails"][0]["value"], "ada@acme.example");
    assert!(projected.get("name").is_none(), "{projected}");

    let (_, root) = app
        .scim_json(
            Method::POST,
            "/.search",
            &token,
            Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})),
        )
        .await;
    assert_eq!(root["totalResults"], 2, "{root}");
    let types: Vec<&str> = root["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|r| r["meta"]["resourceType"].as_str())
        .collect();
    assert_eq!(types, ["User", "Group"]);
}

on_both_backends!(
    a_group_is_created_read_replaced_and_deleted,
    a_persons_groups_come_in_display_name_order_and_none_is_left_out,
    display_names_are_unique_case_insensitively,
    unknown_members_and_groups_as_members_change_nothing,
    membership_changes_are_idempotent,
    lists_filter_page_and_leave_members_out_when_asked,
    people_show_their_groups_and_leave_them_when_deleted,
    etags_guard_group_writes,
    group_changes_and_failures_are_in_the_provisioning_log,
    lenient_paths_and_attribute_lists,
);
