//! Team links across `golinks links export` and `golinks links import` (issue #14), through
//! the real binary on both backends: the owning team and the visible-to group travel by
//! displayName and come back attached to the target's groups of that name; a file naming a
//! group the target does not have is refused whole, and nothing changes.

use std::process::{Command, Output, Stdio};

use golinks::domain::{OrgId, Role};
use golinks::store::Link;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::scim_groups::group;
use crate::support::{Backend, TestApp, TestDb};

fn golinks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args(args)
        .env_remove("GOLINKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run golinks")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn org(app: &TestApp) -> OrgId {
    let org = app.state.store.find_org_by_slug("default").await;
    org.expect("default org").id
}

/// (name, owning team, visible-to group), by displayName, of every link in the database.
async fn teams_of(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    let links: Vec<Link> = app
        .state
        .store
        .all_links(org(app).await)
        .await
        .expect("links");
    links
        .into_iter()
        .map(|l| {
            (
                l.name,
                l.owner_group.map(|g| g.display_name),
                l.visible_to.map(|g| g.display_name),
            )
        })
        .collect()
}

/// A source with a team link restricted to a second group, and a plain link; its export.
async fn exported_team_links(backend: Backend) -> (TestApp, std::path::PathBuf) {
    let app = TestApp::spawn(backend).await;
    let scim = app.scim_token().await;
    let (ada, token) = app.person("ada@acme.example", Role::Member).await;
    let ada = ada.id.to_string();
    group(&app, &scim, "Finance", &[&ada]).await;
    group(&app, &scim, "Finance Leads", &[&ada]).await;
    app.create_link(
        &token,
        json!({"name": "budget", "url": "https://fin.acme.example/", "owner_group": "Finance",
               "visible_to_group": "Finance Leads"}),
    )
    .await;
    app.create_link(
        &token,
        json!({"name": "wiki", "url": "https://wiki.acme.example/"}),
    )
    .await;
    let file = app.db.scratch().join("export.json");
    let out = golinks(&[
        "links",
        "export",
        "--database-url",
        &app.db.url,
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    (app, file)
}

async fn an_export_carries_team_ownership_and_group_visibility_by_display_name(backend: Backend) {
    let (source, file) = exported_team_links(backend.clone()).await;
    let export: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let budget = &export["links"][0];
    assert_eq!(
        (
            &budget["name"],
            &budget["owner"],
            &budget["owner_group"],
            &budget["visible_to_group"]
        ),
        (
            &json!("budget"),
            &Value::Null,
            &json!("Finance"),
            &json!("Finance Leads")
        ),
        "{export}"
    );
    let wiki = &export["links"][1];
    assert!(
        wiki.get("owner_group").is_none() && wiki.get("visible_to_group").is_none(),
        "a link without groups exports as before: {wiki}"
    );

    // The target's groups have other ids, and displayNames in another case.
    let target = TestApp::spawn(backend).await;
    let scim = target.scim_token().await;
    let finance = group(&target, &scim, "FINANCE", &[]).await;
    let leads = group(&target, &scim, "finance leads", &[]).await;
    let out = golinks(&[
        "links",
        "import",
        "--database-url",
        &target.db.url,
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        teams_of(&target).await,
        vec![
            (
                "budget".to_owned(),
                Some("FINANCE".to_owned()),
                Some("finance leads".to_owned())
            ),
            ("wiki".to_owned(), None, None),
        ]
    );
    let links = target
        .state
        .store
        .all_links(org(&target).await)
        .await
        .expect("links");
    let budget = &links[0];
    assert_eq!(
        budget.owner_group.as_ref().map(|g| g.id.to_string()),
        finance["id"].as_str().map(str::to_owned)
    );
    assert_eq!(
        budget.visible_to.as_ref().map(|g| g.id.to_string()),
        leads["id"].as_str().map(str::to_owned)
    );
    assert!(budget.owner.is_none(), "a team link has no person as owner");
    drop(source);
}

async fn an_import_naming_a_group_the_organization_lacks_changes_nothing(backend: Backend) {
    let (_source, file) = exported_team_links(backend.clone()).await;
    let target = TestDb::create(backend).await;
    let path = file.to_str().expect("path");

    let refused = golinks(&["links", "import", "--database-url", &target.url, path]);
    let err = stderr(&refused);
    assert!(!refused.status.success(), "{err}");
    assert!(
        err.contains(
            "link 1 (budget): owner_group: no group \"Finance\" in this organization; \
             visible_to_group: no group \"Finance Leads\" in this organization"
        ),
        "the link and both groups are named: {err}"
    );
    assert!(err.contains("nothing imported"), "{err}");
    let export = golinks(&["links", "export", "--database-url", &target.url]);
    let export: Value = serde_json::from_slice(&export.stdout).expect("export json");
    assert_eq!(
        export["links"].as_array().map(Vec::len),
        Some(0),
        "not even the valid link was imported"
    );

    // `--skip-invalid` imports the rest, never the team link without its groups.
    let skipped = golinks(&[
        "links",
        "import",
        "--database-url",
        &target.url,
        "--skip-invalid",
        path,
    ]);
    let out = String::from_utf8_lossy(&skipped.stdout);
    assert!(skipped.status.success(), "{}", stderr(&skipped));
    assert!(
        out.starts_with("imported 1 link(s), skipped 1\n  skipped link 1 (budget): owner_group:"),
        "{out}"
    );
}

on_both_backends!(
    an_export_carries_team_ownership_and_group_visibility_by_display_name,
    an_import_naming_a_group_the_organization_lacks_changes_nothing,
);
