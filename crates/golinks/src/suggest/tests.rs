use std::collections::BTreeMap;

use super::*;
use proptest::prelude::*;

/// The rule by brute force: every name compared with the typed key.
fn reference(typed: &str, names: &[(String, String)], max: usize) -> Vec<String> {
    let Some(wanted) = LinkName::key_of(typed).filter(|w| w.len() >= 2) else {
        return Vec::new();
    };
    let fuzzy = wanted.len() <= MAX_FUZZY;
    let mut scored: Vec<(usize, &str, &str)> = names
        .iter()
        .filter_map(|(key, spelling)| {
            let prefix =
                word_offsets(key, spelling).any(|o| key[usize::from(o)..].starts_with(&wanted));
            let contained = fuzzy && key.len() >= 3 && wanted.contains(key.as_str());
            let distance = edit_distance(&wanted, key);
            let close = fuzzy && distance <= usize::from(distance_limit(wanted.len(), key.len()));
            let score = match (prefix || contained, close) {
                _ if *key == wanted => 0,
                (true, true) => distance.min(1),
                (true, false) => 1,
                (false, true) => distance,
                (false, false) => return None,
            };
            Some((score, spelling.as_str(), key.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| (a.0, a.1.len(), a.1, a.2).cmp(&(b.0, b.1.len(), b.1, b.2)));
    scored
        .into_iter()
        .take(max)
        .map(|(_, spelling, _)| spelling.to_owned())
        .collect()
}

/// Edit distance over bytes counting a swap of two neighbours as one edit (optimal string
/// alignment), the table filled in full.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let width = b.len() + 1;
    let mut d: Vec<usize> = vec![0; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// (key, spelling) pairs with unique keys, the first spelling of a key kept.
fn named(spellings: &[&str]) -> Vec<(String, String)> {
    let mut by_key = BTreeMap::new();
    for s in spellings {
        if let Some(key) = LinkName::key_of(s) {
            by_key.entry(key).or_insert_with(|| (*s).to_owned());
        }
    }
    by_key.into_iter().collect()
}

fn index(names: &[(String, String)]) -> Suggester {
    Suggester::build(names.iter().map(|(k, s)| (k.as_str(), s.as_str())))
}

#[test]
fn typos_and_prefixes_come_first_then_shorter_names() {
    let names = named(&["docs", "Docker", "All-Hands", "payroll"]);
    let index = index(&names);
    assert_eq!(
        index.nearest("dcos", 5).first().map(String::as_str),
        Some("docs")
    );
    assert_eq!(index.nearest("doc", 5), vec!["docs", "Docker"]);
    assert!(index.nearest("zzzzzz", 5).is_empty());
    assert!(
        index.nearest("d", 5).is_empty(),
        "one character suggests nothing"
    );
    assert!(
        index.nearest("-bad-", 5).is_empty(),
        "an invalid name suggests nothing"
    );
}

#[test]
fn a_word_of_a_name_is_a_prefix_too() {
    let names = named(&["All-Hands", "TeamCalendar", "wiki.setup", "handbook-old"]);
    let index = index(&names);
    assert_eq!(index.nearest("hands", 5), vec!["All-Hands"]);
    assert_eq!(index.nearest("cal", 5), vec!["TeamCalendar"]);
    assert_eq!(index.nearest("setup", 5), vec!["wiki.setup"]);
    assert_eq!(index.nearest("hand", 5), vec!["All-Hands", "handbook-old"]);
}

#[test]
fn a_name_inside_the_typed_one_is_suggested() {
    let names = named(&["docs", "go", "setup"]);
    assert_eq!(index(&names).nearest("docsetup", 5), vec!["docs", "setup"]);
}

fn words<'a>(key: &'a str, spelling: &str) -> Vec<&'a str> {
    word_offsets(key, spelling)
        .map(|o| &key[usize::from(o)..])
        .collect()
}

#[test]
fn words_start_after_separators_and_case_changes() {
    assert_eq!(words("allhands", "All-Hands"), vec!["allhands", "hands"]);
    assert_eq!(words("allhands", "AllHands"), vec!["allhands", "hands"]);
    assert_eq!(
        words("wiki.setup", "wiki.setup"),
        vec!["wiki.setup", "setup"]
    );
    assert_eq!(words("abc", "a__b-c"), vec!["abc", "bc", "c"]);
    assert_eq!(words("abc", "ABC"), vec!["abc"]);
}

#[test]
fn a_typed_name_longer_than_the_fuzzy_limit_gets_prefix_matches_only() {
    let long = "a".repeat(MAX_FUZZY + 1);
    let names = named(&[&format!("{long}b"), &long[..MAX_FUZZY], "aaa"]);
    let index = index(&names);
    // The name one character longer starts with it; the shorter one is one edit away and
    // contains "aaa", but neither rule applies past the limit.
    assert_eq!(index.nearest(&long, 5), vec![format!("{long}b")]);
    assert_eq!(index.nearest(&long, 5), reference(&long, &names, 5));
}

#[test]
fn the_edit_distance_of_the_reference_counts_single_edits() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("same", "same"), 0);
    assert_eq!(edit_distance("dcos", "docs"), 1, "a swap is one edit");
}

#[test]
fn many_names_with_one_prefix_give_the_first_in_name_order() {
    let spellings: Vec<String> = (0..3000).map(|i| format!("link{i:05}")).collect();
    let names = named(&spellings.iter().map(String::as_str).collect::<Vec<_>>());
    let index = index(&names);
    for typed in [
        "link",
        "link01",
        "link0299",
        "lnik00042",
        "link0004x",
        "nosuchname",
    ] {
        assert_eq!(
            index.nearest(typed, 5),
            reference(typed, &names, 5),
            "{typed}"
        );
    }
}

/// The walk leaves branches that cannot beat the fifth best so far; here name order (shorter
/// first) is not trie order, so a branch's smallest id is what decides.
#[test]
fn the_walk_keeps_the_best_when_name_order_is_not_key_order() {
    let spellings: Vec<String> = (0..3000)
        .flat_map(|i| [format!("link{i}"), format!("l{i}nk"), format!("Ops-{i}")])
        .collect();
    let names = named(&spellings.iter().map(String::as_str).collect::<Vec<_>>());
    let index = index(&names);
    for typed in [
        "lnik123",
        "link12",
        "lin1234",
        "l12kn",
        "ops-29999",
        "pos-7",
        "link2999x",
        "li9nk",
    ] {
        for max in [1, 5, 12] {
            assert_eq!(
                index.nearest(typed, max),
                reference(typed, &names, max),
                "{typed} {max}"
            );
        }
    }
}

fn spelling() -> impl Strategy<Value = String> {
    "[a-dA-D0-2]([a-dA-D0-2._-]{0,6}[a-dA-D0-2])?"
}

/// A typed name: a name with up to three random edits, or anything.
fn typo(names: Vec<String>) -> impl Strategy<Value = String> {
    let edits =
        proptest::collection::vec((0usize..4, any::<prop::sample::Index>(), "[a-d0_-]"), 0..4);
    (
        prop::sample::select(names),
        edits,
        "[a-dA-D0-2._-]{0,9}",
        any::<bool>(),
    )
        .prop_map(|(name, edits, random, use_random)| {
            if use_random {
                return random;
            }
            let mut typed: Vec<char> = name.chars().collect();
            for (kind, at, c) in edits {
                let c = c.chars().next().unwrap_or('a');
                let i = at.index(typed.len() + 1);
                match kind {
                    0 => typed.insert(i, c),
                    1 if i < typed.len() => drop(typed.remove(i)),
                    2 if i < typed.len() => typed[i] = c,
                    3 if i + 1 < typed.len() => typed.swap(i, i + 1),
                    _ => {}
                }
            }
            typed.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_index_agrees_with_the_brute_force_rule(
        (spellings, typed) in proptest::collection::vec(spelling(), 1..40)
            .prop_flat_map(|s| (Just(s.clone()), proptest::collection::vec(typo(s), 1..8)))
    ) {
        let names = named(&spellings.iter().map(String::as_str).collect::<Vec<_>>());
        let index = index(&names);
        for typed in typed {
            prop_assert_eq!(index.nearest(&typed, 5), reference(&typed, &names, 5), "typed {:?}", typed);
        }
    }
}
