//! The SQL pushdown of SCIM filters agrees with the `scim` crate's evaluator (the meaning of
//! a filter): exact plans select exactly the matching people, narrowing plans a superset.

use std::collections::BTreeSet;

use golinks::domain::UserId;
use golinks::provisioning::{columns, pushdown, representation};
use golinks::store::{Store, UserOrder, UserPageQuery};
use scim::{Filter, USER};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestDb};

fn people() -> Vec<Value> {
    let mut out = Vec::new();
    let names = [
        "ada@acme.example",
        "ADA.king@acme.example",
        "bob@acme.example",
        "Bob_B@other.example",
        "carol%x@acme.example",
        "dave@ACME.example",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut p = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": name,
            "active": i % 2 == 0,
            "emails": [{"value": name.to_uppercase(), "type": "work", "primary": true}, {"value": format!("home{i}@home.example"), "type": "home"}],
            "displayName": format!("Person {i}"),
        });
        if i % 3 != 0 {
            p["externalId"] = json!(format!("Ext-{i}"));
        }
        out.push(p);
    }
    out
}

/// Filters over every pushed-down attribute and operator, with values from the data in
/// other cases, and `and`/`or` pairs of them.
fn filters(ids: &[String]) -> Vec<String> {
    let mut values: Vec<String> = vec![
        "ada".into(),
        "ACME".into(),
        "@acme.example".into(),
        "bob@acme.example".into(),
        "%".into(),
        "_".into(),
        "Ext-1".into(),
        "ext-1".into(),
        "HOME2@home.example".into(),
        "carol%x".into(),
        "nobody".into(),
        "".into(),
    ];
    values.extend(ids.iter().take(2).cloned());
    let mut singles = Vec::new();
    for attr in [
        "userName",
        "externalId",
        "id",
        "emails.value",
        "emails",
        "displayName",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    ] {
        singles.push(format!("{attr} pr"));
        for op in ["eq", "ne", "co", "sw", "ew", "gt"] {
            for v in &values {
                singles.push(format!(
                    "{attr} {op} {}",
                    serde_json::to_string(v).unwrap_or_default()
                ));
            }
        }
    }
    for v in ["true", "false"] {
        singles.push(format!("active eq {v}"));
        singles.push(format!("active ne {v}"));
    }
    let mut all = singles.clone();
    // A fixed pseudo-random choice of pairs (xorshift), so failures reproduce.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..400 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let a = &singles[(state % singles.len() as u64) as usize];
        let b = &singles[((state >> 20) % singles.len() as u64) as usize];
        let op = if state & 1 == 0 { "and" } else { "or" };
        all.push(format!("({a}) {op} ({b})"));
    }
    all
}

async fn sql_pushdown_agrees_with_the_evaluator(backend: Backend) {
    let db = TestDb::create(backend).await;
    let store = Store::open(&db.url).await.expect("open");
    let org = store.find_org_by_slug("default").await.expect("org").id;
    for p in people() {
        let resource = scim::normalize(&p, &USER).expect("valid");
        store
            .insert_scim_user(org, UserId::new(), &columns::of(&resource), &resource, None)
            .await
            .expect("insert");
    }
    let everyone = UserPageQuery {
        filter: None,
        order: UserOrder::Id,
        descending: false,
        after: None,
        offset: 0,
        limit: None,
    };
    let (all, _) = store.list_scim_users(org, &everyone).await.expect("all");
    let ids: Vec<String> = all.iter().map(|u| u.id.to_string()).collect();
    let mut exact_plans = 0;
    for text in filters(&ids) {
        let Ok(filter) = Filter::parse_for(&text, &USER) else {
            continue;
        };
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|u| filter.matches(&representation::resource(u, ""), &USER))
            .map(|u| u.id.to_string())
            .collect();
        let plan = pushdown::plan(Some(&filter));
        let Some(predicate) = plan.predicate else {
            continue;
        };
        let query = UserPageQuery {
            filter: Some(predicate),
            ..everyone.clone()
        };
        let (rows, total) = store
            .list_scim_users(org, &query)
            .await
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let selected: BTreeSet<String> = rows.iter().map(|u| u.id.to_string()).collect();
        assert_eq!(
            total as usize,
            selected.len(),
            "{text}: count and rows agree"
        );
        if plan.exact {
            exact_plans += 1;
            assert_eq!(selected, expected, "exact plan for {text}");
        } else {
            assert!(
                expected.is_subset(&selected),
                "narrowing plan for {text} lost matches"
            );
        }
    }
    assert!(
        exact_plans > 300,
        "the table exercised the pushdown ({exact_plans} exact plans)"
    );
}

on_both_backends!(sql_pushdown_agrees_with_the_evaluator);
