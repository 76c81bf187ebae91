use super::*;

fn parse(input: &str) -> Filter {
    filter(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e:?}"))
}

fn path(p: &str) -> AttrPath {
    attr_path(p).unwrap()
}

fn string(s: &str) -> CompValue {
    CompValue::String(s.to_owned())
}

fn cmp(p: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare {
        path: path(p),
        op,
        value,
    }
}

fn pr(p: &str) -> Filter {
    Filter::Present(path(p))
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

fn value_path(attr: &str, f: Filter) -> Filter {
    Filter::ValuePath(ValuePath {
        urn: None,
        attr: attr.to_owned(),
        filter: Box::new(f),
    })
}

#[test]
fn parses_comparisons_and_presence() {
    assert_eq!(
        parse(r#"userName eq "bjensen""#),
        cmp("userName", CompareOp::Eq, string("bjensen"))
    );
    assert_eq!(parse("title pr"), pr("title"));
    assert_eq!(
        parse(r#"name.familyName co "O'Malley""#),
        cmp("name.familyName", CompareOp::Co, string("O'Malley"))
    );
}

#[test]
fn operators_and_keywords_ignore_case() {
    let expected = and(
        cmp("userName", CompareOp::Eq, string("x")),
        not(or(
            pr("title"),
            cmp("active", CompareOp::Ne, CompValue::Bool(true)),
        )),
    );
    let inputs = [
        r#"userName eq "x" and not (title pr or active ne true)"#,
        r#"userName EQ "x" AND NOT (title PR OR active Ne True)"#,
        r#"userName eQ "x" And Not(title pR oR active nE TRUE)"#,
    ];
    for input in inputs {
        assert_eq!(parse(input), expected, "{input}");
    }
    for op in CompareOp::ALL {
        let upper = format!("a {} 1", op.as_str().to_uppercase());
        assert_eq!(
            parse(&upper),
            cmp("a", op, CompValue::Number(1.into())),
            "{upper}"
        );
    }
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(
        parse("a pr or b pr and c pr"),
        or(pr("a"), and(pr("b"), pr("c")))
    );
    assert_eq!(
        parse("a pr and b pr or c pr"),
        or(and(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        parse("(a pr or b pr) and c pr"),
        and(or(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(parse("not (a pr) and b pr"), and(not(pr("a")), pr("b")));
    assert_eq!(
        parse("a pr and b pr and c pr"),
        and(and(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        parse("a pr or b pr or c pr"),
        or(or(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(parse("((a pr))"), pr("a"));
}

#[test]
fn parses_every_kind_of_value() {
    let cases = [
        ("a eq true", CompValue::Bool(true)),
        ("a eq False", CompValue::Bool(false)),
        ("a eq null", CompValue::Null),
        ("a eq 42", CompValue::Number(42.into())),
        ("a eq -7", CompValue::Number((-7).into())),
        (
            "a eq 1.5e3",
            CompValue::Number(serde_json::Number::from_f64(1500.0).unwrap()),
        ),
        (
            "a eq 18446744073709551615",
            CompValue::Number(u64::MAX.into()),
        ),
        (r#"a eq "say \"hi\"\n""#, string("say \"hi\"\n")),
        (r#"a eq "\u00e9t\u00e9""#, string("été")),
        (r#"a eq "  spaced  ""#, string("  spaced  ")),
        (r#"a eq """#, string("")),
    ];
    for (input, value) in cases {
        assert_eq!(parse(input), cmp("a", CompareOp::Eq, value), "{input}");
    }
}

#[test]
fn numbers_follow_json_syntax() {
    let good = [
        "0", "-0", "7", "-12", "0.5", "10.25", "1e3", "1E+3", "2.5e-3", "-0.0e0",
    ];
    for word in good {
        assert!(is_json_number(word.as_bytes()), "{word}");
        assert!(number(word).is_some(), "{word}");
    }
    let bad = [
        "", "-", "01", "+1", ".5", "1.", "1e", "1e+", "0x10", "1.2.3", "--1", "1-2", "1e5.0",
    ];
    for word in bad {
        assert!(!is_json_number(word.as_bytes()), "{word}");
    }
    assert_eq!(number("1e999"), None, "infinite");
    assert_eq!(number("-9223372036854775808"), Some(i64::MIN.into()));
    assert_eq!(
        number("18446744073709551616"),
        serde_json::Number::from_f64(18446744073709551616.0)
    );
    assert_eq!(
        number("4.535756044798468e221").and_then(|n| n.as_f64()),
        Some(4.535756044798468e221)
    );
}

#[test]
fn parses_value_paths_and_urn_qualified_paths() {
    assert_eq!(
        parse(r#"emails[type eq "work" and value co "@acme"]"#),
        value_path(
            "emails",
            and(
                cmp("type", CompareOp::Eq, string("work")),
                cmp("value", CompareOp::Co, string("@acme"))
            )
        )
    );
    let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let Filter::Compare { path, .. } = parse(&format!(r#"{urn}:manager.value eq "26""#)) else {
        panic!("expected a comparison");
    };
    assert_eq!(
        path,
        AttrPath::new("manager")
            .with_urn(urn)
            .with_sub_attr("value")
    );
    let Filter::ValuePath(vp) =
        parse(r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]"#)
    else {
        panic!("expected a value path");
    };
    assert_eq!(
        vp.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:core:2.0:User")
    );
}

#[test]
fn a_sub_attribute_after_a_value_filter_joins_the_filter() {
    let expected = value_path(
        "emails",
        and(
            cmp("type", CompareOp::Eq, string("work")),
            cmp("value", CompareOp::Eq, string("a@b.c")),
        ),
    );
    assert_eq!(
        parse(r#"emails[type eq "work"].value eq "a@b.c""#),
        expected
    );
    assert_eq!(
        parse(r#"emails[type eq "work" or type eq "home"].value pr"#),
        value_path(
            "emails",
            and(
                or(
                    cmp("type", CompareOp::Eq, string("work")),
                    cmp("type", CompareOp::Eq, string("home"))
                ),
                pr("value")
            )
        )
    );
}

#[test]
fn accepts_loose_whitespace() {
    assert_eq!(parse("  title\tpr  "), pr("title"));
    assert_eq!(
        parse("(title pr)and(userName pr)"),
        and(pr("title"), pr("userName"))
    );
    assert_eq!(parse("not(title pr)"), not(pr("title")));
    assert_eq!(
        parse(r#"emails[ type eq "work" ]"#),
        value_path("emails", cmp("type", CompareOp::Eq, string("work")))
    );
}

#[test]
fn words_that_are_keywords_elsewhere_can_be_attribute_names() {
    assert_eq!(parse("not pr"), pr("not"));
    assert_eq!(parse("and pr and or pr"), and(pr("and"), pr("or")));
}

/// Input, byte offset of the error, part of its message.
const ERROR_CASES: &[(&str, usize, &str)] = &[
    (
        "",
        0,
        "expected an attribute path, \"(\" or \"not (\", found the end of the input",
    ),
    (
        "userName",
        8,
        "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr), found the end",
    ),
    (r#"userName regex "x""#, 9, "found \"regex\""),
    ("userName eq", 11, "expected a value"),
    (
        "userName eq bjensen",
        12,
        "expected a value (a \"quoted string\", a number, true, false or null), found \"bjensen\"",
    ),
    (
        r#"userName eq "x" title pr"#,
        16,
        "expected \"and\", \"or\" or the end of the filter, found \"title\"",
    ),
    (
        r#"(userName eq "x""#,
        16,
        "expected \"and\", \"or\" or \")\"",
    ),
    (r#"userName eq "x")"#, 15, "found \")\""),
    (
        r#"emails[type eq "work""#,
        21,
        "expected \"and\", \"or\" or \"]\"",
    ),
    (r#"not userName pr"#, 4, "expected an operator"),
    (r#"userName eq "x" and"#, 19, "expected an attribute path"),
    (
        r#"emails[type eq "w" and x[y pr]]"#,
        24,
        "cannot contain another",
    ),
    (r#"name.givenName[x pr]"#, 14, "must follow an attribute"),
    (r#"userName eq 01"#, 12, "expected a value"),
    (r#"userName eq +1"#, 12, "expected a value"),
    (r#"userName eq 1e999"#, 12, "expected a value"),
    (
        "userName eq \"x\" && title pr",
        16,
        "unexpected character '&'",
    ),
    (r#"a.b.c pr"#, 0, "one level"),
    (r#"2fa pr"#, 0, "not an attribute name"),
];

#[test]
fn errors_say_where_and_what_was_expected() {
    for &(input, pos, message) in ERROR_CASES {
        let error = filter(input).unwrap_err();
        assert_eq!(error.pos, pos, "position for {input:?}: {}", error.message);
        assert!(
            error.message.contains(message),
            "{input:?}: {}",
            error.message
        );
    }
}

#[test]
fn errors_become_invalid_filter_with_the_position() {
    let error = Filter::parse("userName eq bjensen").unwrap_err();
    assert_eq!(error.status, 400);
    assert_eq!(error.scim_type, Some(crate::ScimType::InvalidFilter));
    assert!(
        error
            .detail
            .starts_with("invalid filter at position 12: expected a value"),
        "{}",
        error.detail
    );
}

#[test]
fn nesting_is_limited_before_recursing() {
    let nested = |depth: usize| format!("{}title pr{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(parse(&nested(MAX_DEPTH)), pr("title"));
    let error = filter(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(error.pos, MAX_DEPTH);
    assert!(
        error.message.contains("deeper than 32"),
        "{}",
        error.message
    );

    let nots = format!(
        "{}title pr{}",
        "not (".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(filter(&nots).unwrap_err().message.contains("deeper"));

    // Unbalanced input as long as allowed: rejected at the limit, not by a stack overflow.
    let hostile = "(".repeat(MAX_FILTER_LEN);
    assert!(filter(&hostile).unwrap_err().message.contains("deeper"));
    let brackets = format!("a[{}", "(".repeat(MAX_FILTER_LEN - 2));
    assert!(filter(&brackets).unwrap_err().message.contains("deeper"));
}

#[test]
fn input_length_is_limited() {
    let padding = " ".repeat(MAX_FILTER_LEN - "title pr".len());
    assert_eq!(parse(&format!("title pr{padding}")), pr("title"));
    let error = filter(&format!("title pr{padding} ")).unwrap_err();
    assert!(error.message.contains("at most 4096"), "{}", error.message);
}

#[test]
fn long_flat_chains_parse_without_deep_recursion() {
    let mut input = String::from("a pr");
    while input.len() + " or a pr".len() <= MAX_FILTER_LEN {
        input.push_str(" or a pr");
    }
    let parsed = parse(&input);
    assert_eq!(parsed.to_string(), input);
}

#[test]
fn parses_patch_path_forms() {
    assert_eq!(
        patch_path("userName"),
        Ok(PatchPath::Attr(path("userName")))
    );
    let parsed = patch_path(r#"members[value eq "2819c223"]"#).unwrap();
    let PatchPath::Value {
        path: vp,
        sub_attr: None,
    } = parsed
    else {
        panic!("expected a value path without sub-attribute");
    };
    assert_eq!(vp.attr, "members");
}
