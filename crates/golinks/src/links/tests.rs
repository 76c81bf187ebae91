use super::*;

fn input(name: &str, url: &str) -> LinkInput {
    LinkInput {
        name: Some(name.into()),
        url: Some(url.into()),
        ..Default::default()
    }
}

#[test]
fn a_valid_input_becomes_a_draft_with_defaults() {
    let draft = draft_from(None, &input("Docs", "https://wiki.example/"), &[]).expect("valid");
    assert_eq!(draft.name.as_str(), "Docs");
    assert_eq!(draft.visibility, Visibility::Company);
    assert!(draft.tags.is_empty() && draft.aliases.is_empty());
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    let bad = LinkInput {
        name: Some("bad name".into()),
        url: Some("ftp://x".into()),
        tags: Some(vec!["ok".into(), "has space".into()]),
        aliases: Some(vec!["-x".into()]),
        visibility: Some("secret".into()),
        ..Default::default()
    };
    let errors = draft_from(None, &bad, &[]).expect_err("invalid");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "url", "tags", "aliases", "visibility"]);
}

#[test]
fn missing_name_and_url_are_required_on_create_only() {
    let errors = draft_from(None, &LinkInput::default(), &[]).expect_err("invalid");
    assert_eq!(errors.len(), 2);
    let base = draft_from(None, &input("docs", "https://a.example/"), &[]).expect("valid");
    let patch = LinkInput {
        description: Some("  new  ".into()),
        ..Default::default()
    };
    let updated = draft_from(Some(&base), &patch, &[]).expect("valid");
    assert_eq!(updated.description, "new");
    assert_eq!(updated.url, base.url);
}

#[test]
fn aliases_are_deduplicated_and_may_not_repeat_the_name() {
    let mut i = input("docs", "https://a.example/");
    i.aliases = Some(vec!["wiki".into(), "WIKI".into(), "w-i-k-i".into()]);
    assert_eq!(draft_from(None, &i, &[]).expect("valid").aliases.len(), 1);
    i.aliases = Some(vec!["DOCS".into()]);
    assert!(draft_from(None, &i, &[]).is_err());
    i.aliases = Some((0..=MAX_ALIASES).map(|n| format!("alias{n}")).collect());
    assert!(draft_from(None, &i, &[]).is_err());
}

#[test]
fn tags_are_lowercased_sorted_and_unique() {
    let mut i = input("docs", "https://a.example/");
    i.tags = Some(vec!["Eng".into(), "docs".into(), "eng".into()]);
    assert_eq!(
        draft_from(None, &i, &[]).expect("valid").tags,
        ["docs", "eng"]
    );
}

#[test]
fn a_destination_on_our_own_host_is_refused() {
    let hosts = vec!["go".to_owned()];
    let errors = draft_from(None, &input("loop", "http://go/loop"), &hosts).expect_err("loops");
    assert_eq!(errors[0].field, "url");
}
