use serde_json::json;

use super::*;

fn user(path: &str) -> &'static Attribute {
    USER.attribute(path)
        .unwrap_or_else(|| panic!("{path} should be a User attribute"))
}

#[test]
fn user_name_is_required_case_insensitive_and_unique_per_server() {
    let attribute = user("userName");
    assert_eq!(attribute.data_type, AttributeType::String);
    assert!(attribute.required);
    assert!(!attribute.case_exact);
    assert_eq!(attribute.uniqueness, Uniqueness::Server);
    assert_eq!(attribute.mutability, Mutability::ReadWrite);
}

#[test]
fn common_attributes_have_rfc_7643_section_3_1_characteristics() {
    let id = user("id");
    assert_eq!(id.mutability, Mutability::ReadOnly);
    assert_eq!(id.returned, Returned::Always);
    assert!(id.case_exact);
    assert!(user("externalId").case_exact);
    let meta = user("meta");
    assert!(meta.is_complex());
    assert_eq!(meta.mutability, Mutability::ReadOnly);
    assert_eq!(user("meta.lastModified").data_type, AttributeType::DateTime);
    assert_eq!(user("meta.created").mutability, Mutability::ReadOnly);
    assert!(user("schemas").multi_valued);
    assert_eq!(GROUP.attribute("id"), Some(id));
}

#[test]
fn password_is_write_only_and_never_returned() {
    let password = user("password");
    assert_eq!(password.mutability, Mutability::WriteOnly);
    assert_eq!(password.returned, Returned::Never);
}

#[test]
fn lookups_ignore_case() {
    let cases = [
        ("USERNAME", "userName"),
        ("name.FAMILYNAME", "familyName"),
        ("Emails.Value", "value"),
        ("META.lastmodified", "lastModified"),
    ];
    for (path, name) in cases {
        assert_eq!(user(path).name, name, "{path}");
    }
}

#[test]
fn lookups_accept_schema_urns() {
    let cases = [
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "userName",
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            "givenName",
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "department",
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "value",
        ),
        (
            "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER",
            "employeeNumber",
        ),
    ];
    for (path, name) in cases {
        assert_eq!(user(path).name, name, "{path}");
    }
    let manager = user("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
    assert!(manager.is_complex());
    assert_eq!(
        GROUP
            .attribute("urn:ietf:params:scim:schemas:core:2.0:Group:members.value")
            .map(|a| a.name),
        Some("value")
    );
}

#[test]
fn lookups_reject_unknown_or_misplaced_attributes() {
    let unknown = [
        "nope",
        "name.nope",
        // RFC 7644 §3.10: without a URN, the core schema is meant.
        "department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName",
        "urn:ietf:params:scim:schemas:core:2.0:Group:userName",
        "urn:example:unknown:attr",
        "emails[type eq \"work\"]",
        "not a path",
    ];
    for path in unknown {
        assert_eq!(USER.attribute(path), None, "{path}");
    }
    assert_eq!(GROUP.attribute("userName"), None);
    assert_eq!(
        GROUP.attribute("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
        None
    );
}

#[test]
fn group_members_are_immutable_references() {
    let members = GROUP.attribute("members").unwrap();
    assert!(members.multi_valued && members.is_complex());
    assert_eq!(
        GROUP.attribute("members.value").unwrap().mutability,
        Mutability::Immutable
    );
    assert_eq!(
        GROUP.attribute("members.$ref").unwrap().reference_types,
        &["User", "Group"]
    );
    assert!(GROUP.attribute("displayName").unwrap().required);
}

#[test]
fn normalize_spells_paths_as_the_schema_does() {
    let cases = [
        ("USERNAME", "userName"),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "userName",
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:user:NAME.givenname",
            "name.givenName",
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        ),
        ("emails.VALUE", "emails.value"),
        ("unknownAttr", "unknownAttr"),
        ("name.unknownSub", "name.unknownSub"),
    ];
    for (input, expected) in cases {
        let path = AttrPath::parse(input).unwrap();
        assert_eq!(USER.normalize(&path).to_string(), expected, "{input}");
    }
}

#[test]
fn definitions_hold_consistent_data() {
    for definition in definitions() {
        check_level(definition.attributes, definition.id, true);
    }
}

/// RFC 7643 §2.3.8: sub-attributes are never complex; §7: referenceTypes
/// only on references; names unique within a level.
fn check_level(attributes: &[Attribute], context: &str, top: bool) {
    for (i, attribute) in attributes.iter().enumerate() {
        let duplicate = attributes
            .iter()
            .skip(i + 1)
            .any(|other| other.name.eq_ignore_ascii_case(attribute.name));
        assert!(!duplicate, "{context}: {} twice", attribute.name);
        assert!(
            !attribute.description.is_empty(),
            "{context}: {}",
            attribute.name
        );
        assert_eq!(attribute.is_complex(), !attribute.sub_attributes.is_empty());
        assert!(
            top || !attribute.is_complex(),
            "{context}.{} is complex",
            attribute.name
        );
        let is_reference = attribute.data_type == AttributeType::Reference;
        assert_eq!(
            is_reference,
            !attribute.reference_types.is_empty(),
            "{}",
            attribute.name
        );
        check_level(attribute.sub_attributes, attribute.name, false);
    }
}

#[test]
fn renders_attributes_as_in_rfc_7643_section_8_7_1() {
    assert_eq!(
        user("userName").to_json(),
        json!({
            "name": "userName",
            "type": "string",
            "multiValued": false,
            "description": user("userName").description,
            "required": true,
            "caseExact": false,
            "mutability": "readWrite",
            "returned": "default",
            "uniqueness": "server",
        })
    );
    let emails = user("emails").to_json();
    assert_eq!(emails["type"], "complex");
    assert_eq!(emails["multiValued"], true);
    assert_eq!(emails.get("caseExact"), None);
    assert_eq!(emails["subAttributes"][2]["name"], "type");
    assert_eq!(
        emails["subAttributes"][2]["canonicalValues"],
        json!(["work", "home", "other"])
    );
    assert_eq!(
        user("profileUrl").to_json()["referenceTypes"],
        json!(["external"])
    );
    assert_eq!(user("password").to_json()["returned"], "never");
    assert_eq!(user("x509Certificates.value").to_json()["type"], "binary");
}

#[test]
fn renders_each_schema_as_a_schemas_resource() {
    let ids: Vec<&str> = definitions().iter().map(|d| d.id).collect();
    assert_eq!(ids, [USER_URN, ENTERPRISE_USER_URN, GROUP_URN]);
    let rendered = enterprise_user::SCHEMA.to_json();
    assert_eq!(
        rendered["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"])
    );
    assert_eq!(rendered["id"], ENTERPRISE_USER_URN);
    assert_eq!(rendered["name"], "EnterpriseUser");
    assert_eq!(rendered["meta"]["resourceType"], "Schema");
    let names: Vec<&str> = rendered["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
            "manager"
        ]
    );
    let user_json = user::SCHEMA.to_json();
    let attributes = user_json["attributes"].as_array().unwrap();
    assert_eq!(attributes.len(), user::SCHEMA.attributes.len());
    // RFC 7643 §3.1: common attributes are not part of a schema's definition.
    assert!(
        attributes
            .iter()
            .all(|a| a["name"] != "id" && a["name"] != "meta")
    );
    assert_eq!(group::SCHEMA.to_json()["attributes"][1]["name"], "members");
}
