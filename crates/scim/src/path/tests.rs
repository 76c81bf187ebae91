use super::*;
use crate::ScimType;
use crate::filter::{CompValue, CompareOp};

fn attr(input: &str) -> AttrPath {
    AttrPath::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn parses_attribute_paths() {
    let cases = [
        ("userName", AttrPath::new("userName")),
        (
            "name.familyName",
            AttrPath::new("name").with_sub_attr("familyName"),
        ),
        (
            "members.$ref",
            AttrPath::new("members").with_sub_attr("$ref"),
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            AttrPath::new("userName").with_urn("urn:ietf:params:scim:schemas:core:2.0:User"),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            AttrPath::new("manager")
                .with_urn("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                .with_sub_attr("value"),
        ),
        ("x-custom_attr2", AttrPath::new("x-custom_attr2")),
        ("  title  ", AttrPath::new("title")),
    ];
    for (input, expected) in cases {
        assert_eq!(attr(input), expected, "{input}");
        assert_eq!(
            attr(&expected.to_string()),
            expected,
            "round trip of {input}"
        );
    }
}

#[test]
fn rejects_malformed_attribute_paths_as_invalid_path() {
    let cases = [
        ("", 0, "expected an attribute path"),
        ("1abc", 0, "not an attribute name"),
        ("name.", 5, "expected an attribute name"),
        (".name", 0, "expected an attribute name"),
        ("a.b.c", 0, "one level"),
        ("urn:x:", 6, "expected an attribute name"),
        (":userName", 0, "schema URN"),
        ("user name", 5, "expected the end"),
        ("emails[type eq \"work\"]", 6, "expected the end"),
        ("userName$", 0, "not an attribute name"),
        ("na%me", 2, "unexpected character"),
    ];
    for (input, pos, message) in cases {
        let error = AttrPath::parse(input).unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidPath), "{input}");
        assert!(
            error.detail.contains(&format!("position {pos}:")),
            "{input:?}: {}",
            error.detail
        );
        assert!(
            error.detail.contains(message),
            "{input:?}: {}",
            error.detail
        );
    }
}

#[test]
fn parses_patch_paths_with_value_filters() {
    let path = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
    let PatchPath::Value {
        path: value_path,
        sub_attr,
    } = &path
    else {
        panic!("expected a value path, got {path:?}");
    };
    assert_eq!(value_path.attr, "emails");
    assert_eq!(sub_attr.as_deref(), Some("value"));
    assert_eq!(
        *value_path.filter,
        Filter::Compare {
            path: AttrPath::new("type"),
            op: CompareOp::Eq,
            value: CompValue::String("work".to_owned()),
        }
    );
    assert_eq!(path.to_string(), r#"emails[type eq "work"].value"#);
}

#[test]
fn patch_paths_round_trip_through_display() {
    let inputs = [
        "userName",
        "name.givenName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        r#"addresses[type eq "work" and primary eq true].streetAddress"#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[value ew "@example.com"]"#,
    ];
    for input in inputs {
        let path = PatchPath::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(path.to_string(), input);
        assert_eq!(PatchPath::parse(&path.to_string()), Ok(path));
    }
}

#[test]
fn patch_path_case_is_kept_for_the_schema_to_normalize() {
    let path = PatchPath::parse("NAME.GivenName").unwrap();
    assert_eq!(
        path,
        PatchPath::Attr(AttrPath::new("NAME").with_sub_attr("GivenName"))
    );
}

#[test]
fn rejects_malformed_patch_paths() {
    let cases = [
        (
            r#"emails[type eq "work""#,
            "expected \"and\", \"or\" or \"]\"",
        ),
        (
            r#"emails[type eq "work"]value"#,
            "expected \".subAttr\" or the end",
        ),
        (r#"emails[type eq "work"].value.x"#, "one level"),
        (r#"name.givenName[x eq 1]"#, "must follow an attribute"),
        (r#"emails[members[value eq "x"]]"#, "cannot contain another"),
        (r#"emails[]"#, "expected an attribute path"),
        (r#"emails eq "x""#, "expected \"[\" or the end"),
    ];
    for (input, message) in cases {
        let error = PatchPath::parse(input).unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidPath), "{input}");
        assert!(error.detail.contains(message), "{input}: {}", error.detail);
    }
}

#[test]
fn excerpt_cuts_long_input_on_a_character_boundary() {
    assert_eq!(excerpt("short"), "short");
    let long = "é".repeat(100);
    let cut = excerpt(&long);
    assert_eq!(cut.chars().count(), 41);
    assert!(cut.ends_with('…'));
}
