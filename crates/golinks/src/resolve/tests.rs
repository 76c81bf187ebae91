use super::*;
use proptest::prelude::*;

fn table(key: &str) -> Option<(&'static str, &'static str)> {
    let dest = match key {
        "docs" => "https://wiki.example/docs",
        "slash" => "https://wiki.example/space/",
        "search" => "https://search.example/s?lang=en",
        "frag" => "https://app.example/page#section",
        "jira" => "https://jira.example/browse/{1}",
        "two" => "https://x.example/{1}/items/{2}?view=full",
        "all" => "https://x.example/find?q={*}",
        "mail" => "mailto:team@example.com",
        "allhands" => "https://meet.example/all-hands",
        _ => return None,
    };
    Some((dest, dest))
}

#[test]
fn resolution_table() {
    let cases = [
        (
            "simple link",
            "docs",
            None,
            Some("https://wiki.example/docs"),
        ),
        (
            "other spelling of the name",
            "DOCS",
            None,
            Some("https://wiki.example/docs"),
        ),
        (
            "dashes and underscores ignored",
            "All-Hands",
            None,
            Some("https://meet.example/all-hands"),
        ),
        (
            "extra path appended with one slash",
            "docs/setup/linux",
            None,
            Some("https://wiki.example/docs/setup/linux"),
        ),
        (
            "destination ending in slash",
            "slash/page",
            None,
            Some("https://wiki.example/space/page"),
        ),
        (
            "trailing slash on request",
            "docs/",
            None,
            Some("https://wiki.example/docs"),
        ),
        (
            "query appended after the destination's",
            "search",
            Some("q=rust&x=1"),
            Some("https://search.example/s?lang=en&q=rust&x=1"),
        ),
        (
            "query on a destination without one",
            "docs",
            Some("a=1"),
            Some("https://wiki.example/docs?a=1"),
        ),
        (
            "empty query ignored",
            "docs",
            Some(""),
            Some("https://wiki.example/docs"),
        ),
        (
            "path before fragment",
            "frag/more",
            Some("k=v"),
            Some("https://app.example/page/more?k=v#section"),
        ),
        (
            "variable link",
            "jira/ABC-123",
            None,
            Some("https://jira.example/browse/ABC-123"),
        ),
        (
            "variable link missing its value",
            "jira",
            None,
            Some("https://jira.example/browse/"),
        ),
        (
            "two variables, extra dropped",
            "two/a/b/c",
            None,
            Some("https://x.example/a/items/b?view=full"),
        ),
        (
            "star takes every segment",
            "all/a/b",
            None,
            Some("https://x.example/find?q=a/b"),
        ),
        (
            "percent-encoding kept",
            "docs/a%20b",
            Some("q=%C3%A9"),
            Some("https://wiki.example/docs/a%20b?q=%C3%A9"),
        ),
        (
            "mailto takes no path",
            "mail/ignored",
            Some("subject=hi"),
            Some("mailto:team@example.com?subject=hi"),
        ),
        (
            "trailing period from a sentence",
            "docs.",
            None,
            Some("https://wiki.example/docs"),
        ),
        (
            "trailing comma after the name",
            "docs,",
            None,
            Some("https://wiki.example/docs"),
        ),
        (
            "punctuation after a path of a hit is passed on",
            "docs/setup,",
            None,
            Some("https://wiki.example/docs/setup,"),
        ),
        (
            "trailing parenthesis",
            "docs)",
            None,
            Some("https://wiki.example/docs"),
        ),
        ("unknown name", "nothing", None, None),
        ("invalid name", "-bad", None, None),
        ("empty path", "", None, None),
    ];
    for (case, path, query, expected) in cases {
        let got = resolve(path, query, table).map(|r| r.location);
        assert_eq!(got.as_deref(), expected, "case: {case}");
    }
}

proptest! {
    #[test]
    fn extra_segments_always_follow_the_destination(rest in "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,3}") {
        let loc = location("https://wiki.example/docs", &rest, None);
        prop_assert_eq!(loc, format!("https://wiki.example/docs/{rest}"));
    }

    #[test]
    fn the_request_query_is_kept_whole_and_last(q in "[a-z]{1,5}=[a-z0-9]{0,5}(&[a-z]{1,5}=[a-z0-9]{0,5}){0,3}") {
        let loc = location("https://search.example/s?lang=en#top", "", Some(&q));
        prop_assert_eq!(loc, format!("https://search.example/s?lang=en&{q}#top"));
    }

    #[test]
    fn resolve_never_panics(path in "\\PC{0,40}", query in proptest::option::of("\\PC{0,20}")) {
        let _ = resolve(&path, query.as_deref(), table);
    }
}
