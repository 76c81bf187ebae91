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

/// A flush writes a few multi-row statements, cut every 500 links: more links than that, each
/// with its own people, must count exactly as one statement per link did.
async fn a_flush_of_many_links_counts_each_link_and_its_people(backend: Backend) {
    use golinks::domain::UserId;
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    let drafts: Vec<LinkDraft> = (0..1203).map(|i| draft(&format!("l{i:04}"), &[])).collect();
    store.import_links(org, &drafts).await.expect("import");
    let links = store.all_links(org).await.expect("links");
    assert_eq!(links.len(), 1203);
    let gone = links[600].clone();
    store
        .delete_link(org, gone.id, &draft(&gone.name, &[]), None)
        .await
        .expect("delete");
    let people: Vec<UserId> = (0..3)
        .map(|_| UserId::from_uuid(uuid::Uuid::now_v7()))
        .collect();
    let now = OffsetDateTime::now_utc();
    // Link i: i % 4 + 1 clicks by its first i % 4 people (none for i % 4 == 0).
    let batches = |users_from: usize| -> Vec<golinks::store::ClickBatch> {
        links
            .iter()
            .enumerate()
            .map(|(i, l)| golinks::store::ClickBatch {
                org,
                link: l.id,
                day: now.date(),
                clicks: i64::try_from(i % 4 + 1).expect("small"),
                users: people[users_from..].iter().take(i % 4).copied().collect(),
                last_at: now,
            })
            .collect()
    };
    store.record_clicks(&batches(0)).await.expect("record");
    // The second flush: the same clicks, by people shifted by one (one new person per link
    // with two or three).
    store
        .record_clicks(&batches(1))
        .await
        .expect("record again");
    for i in [0, 1, 2, 3, 499, 500, 501, 599, 601, 1000, 1202] {
        let link = &links[i];
        let days = store.daily_clicks(org, link.id).await.expect("days");
        let clicks = i64::try_from(2 * (i % 4 + 1)).expect("small");
        let people = match i % 4 {
            0 => 0,
            1 => 2,
            2 => 3,
            _ => 3,
        };
        assert_eq!(days.len(), 1, "link {i}");
        assert_eq!((days[0].1, days[0].2), (clicks, people), "link {i}");
        let found = store.find_link(org, link.id).await.expect("link");
        assert_eq!(found.clicks_total, clicks, "link {i}");
        let since = now.date();
        assert_eq!(
            store
                .link_people(org, link.id, since)
                .await
                .expect("people"),
            people,
            "link {i}"
        );
    }
    assert!(
        store
            .daily_clicks(org, gone.id)
            .await
            .expect("days")
            .is_empty(),
        "the deleted link's clicks are dropped"
    );
}

on_both_backends!(
    a_flush_of_many_links_counts_each_link_and_its_people,
    a_fresh_database_has_exactly_one_default_organization,
    imports_skip_taken_names_in_one_transaction,
    every_write_moves_the_change_sequence,
    clicks_for_a_deleted_link_are_dropped_without_losing_the_rest,
);
