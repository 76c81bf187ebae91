use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::path::PatchPath;
use crate::schema::USER;

fn parse(input: &str) -> Filter {
    Filter::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

#[test]
fn prints_the_canonical_form() {
    let cases = [
        (r#"userName EQ "bjensen""#, r#"userName eq "bjensen""#),
        ("  title   PR ", "title pr"),
        ("NOT(a pr)", "not (a pr)"),
        ("(a pr and b pr) or c pr", "a pr and b pr or c pr"),
        ("a pr and (b pr or c pr)", "a pr and (b pr or c pr)"),
        ("a pr and (b pr and c pr)", "a pr and (b pr and c pr)"),
        ("(a pr or b pr) or c pr", "a pr or b pr or c pr"),
        ("a pr or (b pr or c pr)", "a pr or (b pr or c pr)"),
        ("((a pr))", "a pr"),
        (r#"a eq "tab\there""#, r#"a eq "tab\there""#),
        (r#"a eq "\u00e9""#, r#"a eq "é""#),
        ("a eq TRUE", "a eq true"),
        ("a eq 1.50", "a eq 1.5"),
        (
            r#"emails[type eq "work"].value co "@x""#,
            r#"emails[type eq "work" and value co "@x"]"#,
        ),
    ];
    for (input, canonical) in cases {
        assert_eq!(parse(input).to_string(), canonical, "{input}");
        assert_eq!(
            parse(canonical).to_string(),
            canonical,
            "{canonical} is a fixed point"
        );
    }
}

#[test]
fn parse_for_validates_against_the_schema() {
    assert!(Filter::parse_for(r#"userName eq "x""#, &USER).is_ok());
    let error = Filter::parse_for("active gt true", &USER).unwrap_err();
    assert_eq!(error.scim_type, Some(crate::ScimType::InvalidFilter));
    assert!("userName pr".parse::<Filter>().is_ok());
}

#[test]
fn normalized_spells_names_as_the_schema_does() {
    let input = r#"USERNAME eq "x" and EMAILS[TYPE eq "work"] and urn:ietf:params:scim:schemas:core:2.0:User:name.GIVENNAME pr and urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT eq "Tour" and custom pr"#;
    assert_eq!(
        parse(input).normalized(&USER).to_string(),
        r#"userName eq "x" and emails[type eq "work"] and name.givenName pr and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Tour" and custom pr"#
    );
}

#[test]
fn operator_keywords_round_trip() {
    for op in CompareOp::ALL {
        assert_eq!(CompareOp::from_keyword(op.as_str()), Some(op));
        assert_eq!(
            CompareOp::from_keyword(&op.as_str().to_uppercase()),
            Some(op)
        );
    }
    assert_eq!(CompareOp::from_keyword("regex"), None);
    assert_eq!(CompareOp::from_keyword("pr"), None);
}

// ---- properties ----

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        Just("$ref".to_owned()),
        Just("not".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("true".to_owned()),
    ]
}

fn urn() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("urn:ietf:params:scim:schemas:core:2.0:User".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()),
        "[a-zA-Z][a-zA-Z0-9.+-]{0,6}(:[a-zA-Z0-9.+-]{1,6}){0,3}",
    ]
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    (
        proptest::option::of(urn()),
        name(),
        proptest::option::of(name()),
    )
        .prop_map(|(urn, attr, sub_attr)| AttrPath {
            urn,
            attr,
            sub_attr,
        })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        any::<u64>().prop_map(|n| CompValue::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(CompValue::Number),
        proptest::collection::vec(any::<char>(), 0..8)
            .prop_map(|chars| CompValue::String(chars.into_iter().collect())),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    proptest::sample::select(CompareOp::ALL.to_vec())
}

fn leaf() -> impl Strategy<Value = Filter> {
    prop_oneof![
        attr_path().prop_map(Filter::Present),
        (attr_path(), op(), comp_value()).prop_map(|(path, op, value)| Filter::Compare {
            path,
            op,
            value
        }),
    ]
}

fn combine(inner: impl Strategy<Value = Filter> + Clone) -> impl Strategy<Value = Filter> {
    prop_oneof![
        (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::And(Box::new(l), Box::new(r))),
        (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::Or(Box::new(l), Box::new(r))),
        inner.prop_map(|f| Filter::Not(Box::new(f))),
    ]
}

/// RFC 7644 §3.4.2.2 valFilter: anything but another value path.
fn value_filter() -> impl Strategy<Value = Filter> {
    leaf().prop_recursive(2, 6, 2, combine)
}

fn any_filter() -> impl Strategy<Value = Filter> {
    let value_path =
        (proptest::option::of(urn()), name(), value_filter()).prop_map(|(urn, attr, f)| {
            Filter::ValuePath(ValuePath {
                urn,
                attr,
                filter: Box::new(f),
            })
        });
    prop_oneof![3 => leaf(), 1 => value_path].prop_recursive(4, 16, 2, combine)
}

/// Arbitrary JSON, for checking that evaluation never panics.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9@. :-]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parsing_the_printed_form_gives_back_the_filter(filter in any_filter()) {
        let printed = filter.to_string();
        prop_assert_eq!(Filter::parse(&printed), Ok(filter), "printed: {}", printed);
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_strings(input in any::<String>()) {
        let _ = Filter::parse(&input);
        let _ = PatchPath::parse(&input);
        let _ = AttrPath::parse(&input);
    }

    #[test]
    fn whatever_parses_prints_to_a_fixed_point(
        input in r#"([a-zA-Z.:$\[\]()" ]|eq|and|or|not|pr|true|null|-?[0-9]|\\"){0,40}"#
    ) {
        if let Ok(filter) = Filter::parse(&input) {
            let printed = filter.to_string();
            prop_assert_eq!(Filter::parse(&printed), Ok(filter), "input {:?} printed {:?}", input, printed);
        }
        if let Ok(path) = PatchPath::parse(&input) {
            prop_assert_eq!(PatchPath::parse(&path.to_string()), Ok(path));
        }
    }

    #[test]
    fn evaluation_and_validation_never_panic(filter in any_filter(), resource in json_value()) {
        let _ = filter.matches(&resource, &USER);
        let _ = validate(&filter, &USER);
        let _ = filter.normalized(&USER);
    }

    #[test]
    fn not_inverts_a_match(filter in value_filter(), resource in json_value()) {
        let negated = Filter::Not(Box::new(filter.clone()));
        prop_assert_eq!(negated.matches(&resource, &USER), !filter.matches(&resource, &USER));
    }
}

#[test]
fn a_sample_resource_matches_after_normalization_as_before() {
    let resource = json!({"userName": "Bjensen", "emails": [{"value": "b@x.com", "type": "work"}]});
    let filter = parse(r#"USERNAME eq "bjensen" and EMAILS[TYPE eq "WORK"]"#);
    assert!(filter.matches(&resource, &USER));
    assert!(filter.normalized(&USER).matches(&resource, &USER));
}
