//! Roles from groups and the group pages, on both backends: a membership change over SCIM
//! changes a role at once (a session sees it at its next request), a role given by a group
//! cannot be lowered by hand, and the directory shows groups, their members and a person's
//! groups.

use golinks::domain::{OrgId, Role, UserId};
use golinks::store::RoleGroups;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_groups::group;
use crate::support::{Backend, TestApp, patch_op};

async fn org(app: &TestApp) -> OrgId {
    app.state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org")
        .id
}

/// A person pushed over SCIM, with a display name; returns their id.
async fn pushed(app: &TestApp, token: &str, email: &str, name: &str) -> UserId {
    let created = app
        .scim_create(
            token,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": email,
                "displayName": name,
                "emails": [{"value": email, "primary": true}],
                "active": true
            }),
        )
        .await;
    created["id"].as_str().expect("id").parse().expect("uuid")
}

async fn patch_members(app: &TestApp, token: &str, group: &str, op: &str, user: UserId) {
    let body =
        patch_op(json!([{"op": op, "path": "members", "value": [{"value": user.to_string()}]}]));
    let (status, answer) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{group}"),
            token,
            Some(body),
        )
        .await;
    assert_eq!(status, 204, "{answer}");
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> Response {
    app.get(path)
        .header("cookie", cookie)
        .send()
        .await
        .expect("send")
}

async fn role_of(app: &TestApp, org: OrgId, user: UserId) -> Role {
    app.state
        .store
        .find_user(org, user)
        .await
        .expect("user")
        .role
}

fn id_of(group: &Value) -> String {
    group["id"].as_str().expect("id").to_owned()
}

async fn a_group_role_comes_and_goes_with_the_membership(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = org(&app).await;
    let token = app.scim_token().await;
    let dana = pushed(&app, &token, "dana@acme.example", "Dana Quist").await;
    let eve = pushed(&app, &token, "eve@acme.example", "Eve Moss").await;
    let admins = id_of(&group(&app, &token, "golinks-admins", &[]).await);
    let mods = id_of(&group(&app, &token, "golinks-moderators", &[]).await);
    let roles = RoleGroups {
        admin: Some(admins.parse().expect("uuid")),
        moderator: Some(mods.parse().expect("uuid")),
    };
    app.state
        .store
        .set_role_groups(org, roles)
        .await
        .expect("map");
    app.state.index.sync(&app.state.store).await.expect("sync");
    let cookie = app.session_cookie(org, dana).await;
    // The session is read (and cached) as a member's.
    assert_eq!(page(&app, &cookie, "/_/admin/people").await.status(), 403);

    patch_members(&app, &token, &admins, "add", dana).await;
    assert_eq!(role_of(&app, org, dana).await, Role::Admin);
    let admin_page = page(&app, &cookie, "/_/admin/people").await;
    assert_eq!(admin_page.status(), 200, "the next request is an admin's");
    let html = admin_page.text().await.expect("body");
    assert!(html.contains("admin through group"), "{html}");

    patch_members(&app, &token, &admins, "remove", dana).await;
    assert_eq!(role_of(&app, org, dana).await, Role::Member);
    assert_eq!(page(&app, &cookie, "/_/admin/people").await.status(), 403);

    // The role set by hand stays underneath: a moderator by hand in the admin group is an
    // admin, and a moderator again when the group is deleted.
    app.state
        .store
        .set_role(org, eve, Role::Moderator)
        .await
        .expect("role");
    patch_members(&app, &token, &admins, "add", eve).await;
    assert_eq!(role_of(&app, org, eve).await, Role::Admin);
    let (status, _) = app
        .scim_json(Method::DELETE, &format!("/Groups/{admins}"), &token, None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(role_of(&app, org, eve).await, Role::Moderator);

    // PUT replaces the members: Dana in, then out, of the moderator group.
    let put = |members: Vec<Value>| {
        json!({"schemas": [crate::scim_groups::GROUP_URN], "displayName": "golinks-moderators",
               "members": members})
    };
    let (status, body) = app
        .scim_json(
            Method::PUT,
            &format!("/Groups/{mods}"),
            &token,
            Some(put(vec![json!({"value": dana.to_string()})])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(&app, org, dana).await, Role::Moderator);
    let (status, body) = app
        .scim_json(
            Method::PUT,
            &format!("/Groups/{mods}"),
            &token,
            Some(put(vec![])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(&app, org, dana).await, Role::Member);
}

async fn a_role_given_by_a_group_is_not_lowered_by_hand(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = org(&app).await;
    let token = app.scim_token().await;
    let dana = pushed(&app, &token, "dana@acme.example", "Dana Quist").await;
    let admins = id_of(&group(&app, &token, "golinks-admins", &[&dana.to_string()]).await);
    let (root, _) = app.person("root@acme.example", Role::Admin).await;
    let cookie = app.session_cookie(org, root.id).await;
    let post = |path: &str, form: &[(&str, &str)]| {
        app.client
            .post(app.url(path))
            .header("cookie", &cookie)
            .form(form)
            .send()
    };

    // A mapping to something that is not a group changes nothing.
    let refused = post(
        "/_/admin/groups",
        &[("admin_group", "nope"), ("moderator_group", "")],
    )
    .await
    .expect("send");
    assert_eq!(refused.status(), 422);
    assert_eq!(
        app.state.store.role_groups(org).await.expect("groups"),
        RoleGroups::default()
    );

    let saved = post(
        "/_/admin/groups",
        &[("admin_group", &admins), ("moderator_group", "")],
    )
    .await
    .expect("send");
    assert_eq!(saved.status(), 303);
    assert_eq!(role_of(&app, org, dana).await, Role::Admin);
    let html = page(&app, &cookie, "/_/admin/people")
        .await
        .text()
        .await
        .expect("body");
    assert!(
        html.contains(
            "admin through group <a href=\"/_/groups/golinks-admins\">golinks-admins</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains("value=\"member\" disabled"),
        "the demotion is disabled: {html}"
    );
    let groups_page = page(&app, &cookie, "/_/admin/groups")
        .await
        .text()
        .await
        .expect("body");
    assert!(
        groups_page
            .contains("golinks-admins</a> <span class=\"badge\">admin</span></td><td>1</td>"),
        "{groups_page}"
    );

    let demote = post(&format!("/_/admin/people/{dana}"), &[("role", "member")])
        .await
        .expect("send");
    assert_eq!(demote.status(), 422);
    let why = demote.text().await.expect("body");
    assert!(why.contains("admin through group golinks-admins"), "{why}");
    assert_eq!(
        role_of(&app, org, dana).await,
        Role::Admin,
        "nothing changed"
    );

    // Unmapped, the group gives nothing: Dana is back to the role set by hand.
    let cleared = post(
        "/_/admin/groups",
        &[("admin_group", ""), ("moderator_group", "")],
    )
    .await
    .expect("send");
    assert_eq!(cleared.status(), 303);
    assert_eq!(role_of(&app, org, dana).await, Role::Member);
}

async fn group_pages_list_members_and_filter_the_directory(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.scim_token().await;
    let ada = pushed(&app, &token, "ada@acme.example", "Ada Lovelace").await;
    let bob = pushed(&app, &token, "bob@acme.example", "Bob Stone").await;
    group(&app, &token, "Finance Team", &[&ada.to_string()]).await;
    group(&app, &token, "Empty", &[]).await;

    let anonymous = app
        .get("/_/groups/Finance%20Team")
        .send()
        .await
        .expect("send");
    assert_ne!(anonymous.status(), 200, "anonymous visitors sign in first");

    let cookie = app.member_cookie().await;
    let index = page(&app, &cookie, "/_/groups").await;
    assert_eq!(index.status(), 200);
    let html = index.text().await.expect("body");
    assert!(
        html.contains("<a href=\"/_/groups/Finance%20Team\">Finance Team</a></td><td>1</td>"),
        "{html}"
    );
    assert!(html.contains(">Empty</a></td><td>0</td>"), "{html}");

    let one = page(&app, &cookie, "/_/groups/finance%20team").await;
    assert_eq!(one.status(), 200, "names compare without case");
    let html = one.text().await.expect("body");
    assert!(
        html.contains(&format!("<a href=\"/_/people/{ada}\">Ada Lovelace</a>")),
        "{html}"
    );
    assert!(!html.contains("Bob Stone"), "{html}");
    assert_eq!(page(&app, &cookie, "/_/groups/nope").await.status(), 404);

    let filtered = page(&app, &cookie, "/_/people?group=Finance+Team").await;
    assert_eq!(filtered.status(), 200);
    let html = filtered.text().await.expect("body");
    assert!(
        html.contains("Ada Lovelace") && !html.contains("Bob Stone"),
        "{html}"
    );
    let everyone = page(&app, &cookie, "/_/people")
        .await
        .text()
        .await
        .expect("body");
    assert!(everyone.contains("Ada Lovelace") && everyone.contains("Bob Stone"));
    assert_eq!(
        page(&app, &cookie, "/_/people?group=nope").await.status(),
        404
    );

    let profile = page(&app, &cookie, &format!("/_/people/{ada}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        profile.contains("<a href=\"/_/groups/Finance%20Team\">Finance Team</a>"),
        "{profile}"
    );
    let other = page(&app, &cookie, &format!("/_/people/{bob}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(!other.contains("Finance Team"), "{other}");
}

/// The operator maps groups with `golinks org set --admin-group NAME`; an unknown name
/// changes nothing, "" names none.
async fn the_cli_maps_groups_to_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = org(&app).await;
    let token = app.scim_token().await;
    let dana = pushed(&app, &token, "dana@acme.example", "Dana Quist").await;
    let mods = id_of(&group(&app, &token, "Moderators", &[&dana.to_string()]).await);
    let url = app.db.url.clone();
    let set = |args: &[&str]| {
        let mut all = vec![
            "org",
            "set",
            "--database-url",
            url.as_str(),
            "--org",
            "default",
        ];
        all.extend_from_slice(args);
        crate::cli::golinks(&all)
    };
    let unknown = set(&["--admin-group", "nope", "--moderator-group", "moderators"]);
    assert!(!unknown.status.success());
    assert!(crate::cli::stderr(&unknown).contains("no group named \"nope\""));
    assert_eq!(
        app.state.store.role_groups(org).await.expect("groups"),
        RoleGroups::default()
    );

    let out = set(&["--moderator-group", "moderators"]);
    assert!(out.status.success(), "{}", crate::cli::stderr(&out));
    let expected = RoleGroups {
        admin: None,
        moderator: Some(mods.parse().expect("uuid")),
    };
    assert_eq!(
        app.state.store.role_groups(org).await.expect("groups"),
        expected
    );
    assert_eq!(role_of(&app, org, dana).await, Role::Moderator);

    let out = set(&["--moderator-group", ""]);
    assert!(out.status.success(), "{}", crate::cli::stderr(&out));
    assert_eq!(role_of(&app, org, dana).await, Role::Member);
}

on_both_backends!(
    the_cli_maps_groups_to_roles,
    a_group_role_comes_and_goes_with_the_membership,
    a_role_given_by_a_group_is_not_lowered_by_hand,
    group_pages_list_members_and_filter_the_directory,
);
