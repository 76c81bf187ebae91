//! Teams own links and links visible to one group (issue #14), on both backends: a team's
//! members edit its links, others are refused; a link restricted to a group is followed by
//! its members only, everyone else gets exactly the missing-link answer, and a member removed
//! over SCIM loses it with the next request; the home page's "My links" holds my teams' links.

use golinks::domain::{OrgId, Role};
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_groups::group;
use crate::support::{Backend, FetchJson, TestApp, location, patch_op};

const LINKS: &str = "/_/api/v1/links";

async fn org(app: &TestApp) -> OrgId {
    let org = app.state.store.find_org_by_slug("default").await;
    org.expect("default org").id
}

async fn status_and_json(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.expect("body");
    (
        status,
        kind,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut request = app.api(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().await.expect("send")).await
}

async fn team_members_edit_the_teams_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let (ada, ada_token) = app.person("ada@acme.example", Role::Member).await;
    let (bob, bob_token) = app.person("bob@acme.example", Role::Member).await;
    let (cy, cy_token) = app.person("cy@acme.example", Role::Member).await;
    let ids = [ada.id.to_string(), bob.id.to_string()];
    let finance = group(&app, &scim, "Finance", &[&ids[0], &ids[1]]).await;

    // Owned by a team named by displayName, in any case: nobody owns it in person.
    let created = app
        .create_link(
            &ada_token,
            json!({"name": "budget", "url": "https://fin.acme.example/", "owner_group": "finance"}),
        )
        .await;
    assert_eq!(created["owner"], Value::Null, "{created}");
    assert_eq!(created["owner_group"]["display_name"], "Finance");
    assert_eq!(created["owner_group"]["id"], finance["id"]);
    assert_eq!(created["owner_group"]["active"], true);

    // The team's page lists the links it owns, and not its members' own links.
    app.create_link(
        &ada_token,
        json!({"name": "ada-notes", "url": "https://notes.acme.example/"}),
    )
    .await;
    let cookie = app.member_cookie().await;
    let team_page = app
        .get("/_/groups/Finance")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(team_page.status(), 200);
    let html = team_page.text().await.expect("body");
    assert!(
        html.contains("<a href=\"/_/links/budget\">go/budget</a>"),
        "{html}"
    );
    assert!(!html.contains("ada-notes"), "{html}");

    // Another member of the team edits it; someone outside is refused, as JSON.
    let path = format!("{LINKS}/budget");
    let (status, _, edited) = api(
        &app,
        Method::PATCH,
        &path,
        &bob_token,
        Some(json!({"description": "FY27"})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["description"], "FY27");
    let (status, kind, refused) = api(
        &app,
        Method::PATCH,
        &path,
        &cy_token,
        Some(json!({"description": "x"})),
    )
    .await;
    assert_eq!(
        (status, kind.as_str()),
        (403, "application/problem+json"),
        "{refused}"
    );
    let (status, _, _) = api(&app, Method::DELETE, &path, &cy_token, None).await;
    assert_eq!(status, 403);

    // Bad owners: a group that does not exist, one the person is not in, both kinds at once.
    // Each is a 422 problem and nothing is written.
    let cases = [
        (
            &ada_token,
            json!({"name": "a1", "url": "https://a.example/", "owner_group": "Nope"}),
        ),
        (
            &cy_token,
            json!({"name": "a2", "url": "https://a.example/", "owner_group": "Finance"}),
        ),
        (
            &ada_token,
            json!({"name": "a3", "url": "https://a.example/", "owner_group": "Finance",
                   "owner": "ada@acme.example"}),
        ),
        (
            &ada_token,
            json!({"name": "a4", "url": "https://a.example/", "owner_group": "Finance",
                   "visibility": "private"}),
        ),
    ];
    for (token, body) in cases {
        let (status, kind, problem) =
            api(&app, Method::POST, LINKS, token, Some(body.clone())).await;
        assert_eq!(
            (status, kind.as_str()),
            (422, "application/problem+json"),
            "{body}: {problem}"
        );
        let name = body["name"].as_str().expect("name");
        let (status, _, _) = api(&app, Method::GET, &format!("{LINKS}/{name}"), token, None).await;
        assert_eq!(status, 404, "{name} was not written");
    }
    let (status, _, _) = api(
        &app,
        Method::PATCH,
        &path,
        &cy_token,
        Some(json!({"owner_group": "Finance"})),
    )
    .await;
    assert_eq!(status, 403, "an outsider cannot take the link over");

    // The web pages: the team's member edits through the form, the outsider is refused.
    let o = org(&app).await;
    let bob_cookie = app.session_cookie(o, bob.id).await;
    let cy_cookie = app.session_cookie(o, cy.id).await;
    let team_id = finance["id"].as_str().expect("id");
    let form = [
        ("name", "budget"),
        ("url", "https://fin.acme.example/v2"),
        ("owner_team", team_id),
    ];
    let post = |cookie: String| {
        app.client
            .post(app.url("/_/links/budget/edit"))
            .header("cookie", cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&form)
            .send()
    };
    assert_eq!(post(cy_cookie.clone()).await.expect("send").status(), 403);
    assert_eq!(post(bob_cookie.clone()).await.expect("send").status(), 303);
    let page = app
        .get("/_/links/budget")
        .header("cookie", &bob_cookie)
        .send()
        .await
        .expect("send");
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Team: Finance") && html.contains("/_/links/budget/edit"),
        "{html}"
    );
    assert!(!html.contains("owner inactive"), "{html}");

    // The team's last active member leaves: the link stays, flagged as a deactivated person's.
    for user in [ada.id, bob.id] {
        golinks::provisioning::set_active(&app.state.store, o, user, false)
            .await
            .expect("deactivate");
    }
    let (status, _, link) = api(&app, Method::GET, &path, &cy_token, None).await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["owner_group"]["active"], false, "{link}");
    assert_eq!(link["url"], "https://fin.acme.example/v2");
    let html = app
        .get("/_/links/budget")
        .header("cookie", &cy_cookie)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("html");
    assert!(html.contains("owner inactive"), "{html}");
    assert_eq!(
        app.follow("/budget").await.as_deref(),
        Ok("https://fin.acme.example/v2")
    );
}

/// What following `name` answers: status, content type, `Location`, and the body with the
/// name replaced, so that a restricted link and a missing one compare byte for byte.
async fn answer(app: &TestApp, cookie: Option<&str>, name: &str) -> (u16, String, String, String) {
    let mut request = app.get(&format!("/{name}"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let header = |h: &str| {
        response
            .headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .replace(name, "NAME")
    };
    let (kind, location) = (header("content-type"), header("location"));
    let body = response.text().await.expect("body").replace(name, "NAME");
    (status, kind, location, body)
}

async fn group_visible_links_are_for_its_members_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let (ada, ada_token) = app.person("ada@acme.example", Role::Member).await;
    let (cy, cy_token) = app.person("cy@acme.example", Role::Member).await;
    let (moderator, _) = app.person("mo@acme.example", Role::Moderator).await;
    let ops = group(&app, &scim, "Ops", &[&ada.id.to_string()]).await;
    let ops_id = ops["id"].as_str().expect("id").to_owned();

    let created = app
        .create_link(
            &ada_token,
            json!({"name": "oncall-runbook", "url": "https://ops.acme.example/rb",
                   "visible_to_group": ops_id}),
        )
        .await;
    assert_eq!(
        created["visible_to_group"]["display_name"], "Ops",
        "{created}"
    );
    let (status, _, problem) = api(
        &app,
        Method::POST,
        LINKS,
        &cy_token,
        Some(json!({"name": "x1", "url": "https://a.example/", "visible_to_group": "Ops"})),
    )
    .await;
    assert_eq!(status, 422, "only to a group one is in: {problem}");

    let o = org(&app).await;
    let ada_cookie = app.session_cookie(o, ada.id).await;
    let cy_cookie = app.session_cookie(o, cy.id).await;
    let mo_cookie = app.session_cookie(o, moderator.id).await;
    let (status, _, to, _) = answer(&app, Some(&ada_cookie), "oncall-runbook").await;
    assert_eq!((status, to.as_str()), (302, "https://ops.acme.example/rb"));

    // Anyone else, signed in or not, moderator too, gets what a name that does not exist
    // gets, byte for byte but for the name.
    for cookie in [Some(cy_cookie.as_str()), Some(mo_cookie.as_str()), None] {
        let restricted = answer(&app, cookie, "oncall-runbook").await;
        let missing = answer(&app, cookie, "no-such-thing").await;
        assert_eq!(restricted, missing, "for {cookie:?}");
        assert!(matches!(restricted.0, 302 | 404), "{restricted:?}");
    }
    // And the JSON API and lists do not show it to others either.
    let (status, _, _) = api(
        &app,
        Method::GET,
        &format!("{LINKS}/oncall-runbook"),
        &cy_token,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, _, list) = api(
        &app,
        Method::GET,
        &format!("{LINKS}?q=oncall"),
        &cy_token,
        None,
    )
    .await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, _, list) = api(
        &app,
        Method::GET,
        &format!("{LINKS}?q=oncall"),
        &ada_token,
        None,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");

    // Removed from the group over SCIM: the same session loses the link with the next request.
    app.set_member(&scim, &ops_id, ada.id, false).await;
    let after = answer(&app, Some(&ada_cookie), "oncall-runbook").await;
    assert_eq!(
        after,
        answer(&app, Some(&ada_cookie), "no-such-thing").await
    );
    // Added back: it works again at once.
    app.set_member(&scim, &ops_id, ada.id, true).await;
    let response = app
        .get("/oncall-runbook")
        .header("cookie", &ada_cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(
        location(&response).as_deref(),
        Some("https://ops.acme.example/rb")
    );
}

async fn the_openapi_document_shows_group_ownership(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app.get("/_/api/openapi.json").fetch_json().await;
    let schemas = &doc["components"]["schemas"];
    for field in ["owner_group", "visible_to_group"] {
        assert!(
            schemas["LinkInput"]["properties"][field].is_object(),
            "{field} in LinkInput"
        );
        assert!(
            schemas["LinkView"]["properties"][field].is_object(),
            "{field} in LinkView"
        );
    }
    assert!(
        schemas["OwnerGroup"]["properties"]["active"].is_object(),
        "{schemas}"
    );
}

/// The home page's "My links": the links I own and my teams' links, each team link marked
/// with the team's name; another team's links are not mine, and leaving a team takes its
/// links out of the list with my next page.
async fn my_links_on_the_home_page_include_my_teams_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let (ada, ada_token) = app.person("ada@acme.example", Role::Member).await;
    let (bob, bob_token) = app.person("bob@acme.example", Role::Member).await;
    let ada_id = ada.id.to_string();
    let finance = group(&app, &scim, "Finance", &[&ada_id]).await;
    group(&app, &scim, "Ops", &[&bob.id.to_string()]).await;
    for (token, body) in [
        (
            &ada_token,
            json!({"name": "ada-notes", "url": "https://notes.acme.example/"}),
        ),
        (
            &ada_token,
            json!({"name": "budget", "url": "https://fin.acme.example/", "owner_group": "Finance"}),
        ),
        (
            &bob_token,
            json!({"name": "bob-notes", "url": "https://notes.acme.example/b"}),
        ),
        (
            &bob_token,
            json!({"name": "runbook", "url": "https://ops.acme.example/", "owner_group": "Ops"}),
        ),
    ] {
        app.create_link(token, body).await;
    }
    let cookie = app.session_cookie(org(&app).await, ada.id).await;
    let mine = async || {
        let page = app.get("/_/").header("cookie", &cookie).send().await;
        let page = page.expect("send");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("body");
        let start = html.find("<h2 id=\"mine\">").expect("My links");
        let section = &html[start..];
        section[..section.find("</section>").expect("end")].to_owned()
    };

    let section = mine().await;
    for (expected, why) in [
        (
            "<a href=\"/_/links/ada-notes\">go/ada-notes</a>",
            "my own link",
        ),
        (
            "<a href=\"/_/links/budget\">go/budget</a>",
            "my team's link",
        ),
        ("Team: Finance", "marked as the team's"),
    ] {
        assert!(section.contains(expected), "{why}: {section}");
    }
    for absent in ["bob-notes", "runbook", "Team: Ops"] {
        assert!(!section.contains(absent), "{absent} is not mine: {section}");
    }
    let own = section.find("go/ada-notes").expect("own");
    let own_line = &section[own..];
    let own_line = &own_line[..own_line.find("</li>").expect("li")];
    assert!(
        !own_line.contains("Team:"),
        "my own link is no team's: {own_line}"
    );

    let leave =
        patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{ada_id}\"]")}]));
    let finance_id = finance["id"].as_str().expect("id");
    let (status, body) = app
        .scim_json(
            Method::PATCH,
            &format!("/Groups/{finance_id}"),
            &scim,
            Some(leave),
        )
        .await;
    assert!(matches!(status, 200 | 204), "{body}");
    let section = mine().await;
    assert!(section.contains("go/ada-notes"), "{section}");
    assert!(
        !section.contains("go/budget"),
        "no longer my team: {section}"
    );
}

on_both_backends!(
    the_openapi_document_shows_group_ownership,
    team_members_edit_the_teams_links,
    group_visible_links_are_for_its_members_only,
    my_links_on_the_home_page_include_my_teams_links,
);
