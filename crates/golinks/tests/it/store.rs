//! Store behaviour that the HTTP tests don't reach directly.

use golinks::domain::{Destination, LinkName, Visibility};
use golinks::store::{LinkDraft, Store};
use time::OffsetDateTime;

use crate::on_both_backends;
use crate::support::{Backend, TestDb};

fn draft(name: &str, aliases: &[&str]) -> LinkDraft {
    LinkDraft {
        name: LinkName::try_from(name).expect("name"),
        url: Destination::try_from("https://a.example/").expect("url"),
        description: String::new(),
        tags: vec![],
        aliases: aliases
            .iter()
            .map(|a| LinkName::try_from(*a).expect("alias"))
            .collect(),
        visibility: Visibility::Company,
        owner: None,
        owner_group: None,
        visible_to: None,
    }
}

async fn a_fresh_database_has_exactly_one_default_organization(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let again = Store::open(&db.url).await.expect("open twice");
    let orgs = again.list_orgs().await.expect("orgs");
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].slug, "default");
    assert!(orgs[0].is_default);
    store.check_ready().await.expect("migrated");
}

async fn imports_skip_taken_names_in_one_transaction(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    store
        .create_link(org, &draft("docs", &[]), None)
        .await
        .expect("create");
    let report = store
        .import_links(
            org,
            &[
                draft("wiki", &["DOCS"]),
                draft("hr", &[]),
                draft("H-R", &[]),
            ],
        )
        .await
        .expect("import");
    assert_eq!(report.created, 1);
    assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);
    let names: Vec<String> = store
        .all_links(org)
        .await
        .expect("links")
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["docs", "hr"]);
}

async fn every_write_moves_the_change_sequence(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let seq = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .change_seqs()
                .await
                .expect("seqs")
                .into_iter()
                .find(|(o, _)| *o == org)
                .map(|(_, s)| s)
        }
    };
    let start = seq(&store).await.expect("seq");
    let (link, after_create) = store
        .create_link(org, &draft("docs", &[]), None)
        .await
        .expect("create");
    assert_eq!(after_create, start + 1);
    let before = draft("docs", &[]);
    let (_, after_update) = store
        .update_link(org, link.id, &before, &draft("docs", &["wiki"]), None)
        .await
        .expect("update");
    assert_eq!(after_update, start + 2);
    let after_delete = store
        .delete_link(org, link.id, &before, None)
        .await
        .expect("delete");
    assert_eq!(after_delete, start + 3);
    assert_eq!(seq(&store).await, Some(start + 3));
}

async fn clicks_for_a_deleted_link_are_dropped_without_losing_the_rest(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let (kept, _) = store
        .create_link(org, &draft("kept", &[]), None)
        .await
        .expect("create");
    let (gone, _) = store
        .create_link(org, &draft("gone", &[]), None)
        .await
        .expect("create");
    store
        .delete_link(org, gone.id, &draft("gone", &[]), None)
        .await
        .expect("delete");
    let now = OffsetDateTime::now_utc();
    let batch = |link, clicks| golinks::store::ClickBatch {
        org,
        link,
        day: now.date(),
        clicks,
        users: vec![],
        last_at: now,
    };
    store
        .record_clicks(&[batch(gone.id, 4), batch(kept.id, 2)])
        .await
        .expect("record");
    store
        .record_clicks(&[batch(kept.id, 3)])
        .await
        .expect("record again");
    let days = store.daily_clicks(org, kept.id).await.expect("days");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].1, 5, "counts add up within a day");
    assert_eq!(
        store
            .find_link(org, kept.id)
            .await
            .expect("link")
            .clicks_total,
        5
    );
}

on_both_backends!(
    a_fresh_database_has_exactly_one_default_organization,
    imports_skip_taken_names_in_one_transaction,
    every_write_moves_the_change_sequence,
    clicks_for_a_deleted_link_are_dropped_without_losing_the_rest,
);
