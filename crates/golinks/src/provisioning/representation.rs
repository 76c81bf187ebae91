//! A stored person as the SCIM resource clients see (RFC 7643 §3.1 `meta`, §4.1).

use scim::{ENTERPRISE_USER_URN, USER_URN};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::UserRecord;

/// The ETag of a version (RFC 7644 §3.14): weak, since equal versions mean equal resources
/// but not byte-identical bodies.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// Reads an `If-Match` / `If-None-Match` value: `*` matches any version; a list of entity-tags
/// (RFC 7232 §2.3, §3.1: `W/"3"`, `"3"`, `"a", W/"3"`) matches the first that is one of our
/// versions, or nothing when none is (a valid tag that is not ours is a failed precondition,
/// 412, not a bad request). A bare `3` is read too, as before. `None`: not an entity-tag list.
pub fn parse_etag(raw: &str) -> Option<EtagMatch> {
    let raw = raw.trim();
    if raw == "*" {
        return Some(EtagMatch::Any);
    }
    if let Ok(version) = raw.parse() {
        return Some(EtagMatch::Version(version));
    }
    let mut ours = None;
    let mut rest = raw;
    loop {
        let unweak = rest.strip_prefix("W/").unwrap_or(rest);
        let body = unweak.strip_prefix('"')?;
        let end = body.find('"')?;
        let tag = &body[..end];
        // etagc = %x21 / %x23-7E / obs-text
        if !tag
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
        {
            return None;
        }
        ours = ours.or_else(|| tag.parse().ok());
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(',')?.trim_start();
    }
    Some(ours.map_or(EtagMatch::Nothing, EtagMatch::Version))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtagMatch {
    Any,
    Version(i64),
    /// Valid entity-tags, none of them a version of ours.
    Nothing,
}

impl EtagMatch {
    pub fn matches(self, version: i64) -> bool {
        match self {
            EtagMatch::Any => true,
            EtagMatch::Version(v) => v == version,
            EtagMatch::Nothing => false,
        }
    }
}

pub fn timestamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The full resource: what was stored, with the server's own attributes set from the
/// columns (`id`, `userName`, `active`, `meta`), and what people created in golinks itself
/// lack (their email, display name) filled in so an identity provider's import sees them.
pub fn resource(user: &UserRecord, base_url: &str) -> Value {
    let mut resource: Value = serde_json::from_str(&user.resource).unwrap_or_else(|_| json!({}));
    if !resource.is_object() {
        resource = json!({});
    }
    let has_enterprise = resource
        .get(ENTERPRISE_USER_URN)
        .is_some_and(|e| e.as_object().is_some_and(|o| !o.is_empty()));
    let mut schemas = vec![json!(USER_URN)];
    if has_enterprise {
        schemas.push(json!(ENTERPRISE_USER_URN));
    }
    let Some(object) = resource.as_object_mut() else {
        return resource;
    };
    let made_here = object.is_empty();
    object.insert("schemas".into(), Value::Array(schemas));
    object.insert("id".into(), json!(user.id.to_string()));
    object.insert("userName".into(), json!(user.user_name));
    // `active` as the client left it: a PATCH may remove it (unassigned, RFC 7644 §3.5.2.2),
    // which golinks reads as active. People made in golinks itself have no stored resource and
    // show their column, and an inactive person always shows `false`.
    if made_here || object.contains_key("active") || !user.active {
        object.insert("active".into(), json!(user.active));
    }
    if let Some(external_id) = &user.external_id {
        object.insert("externalId".into(), json!(external_id));
    }
    if !object.contains_key("emails")
        && let Some(email) = &user.email
    {
        object.insert(
            "emails".into(),
            json!([{"value": email, "type": "work", "primary": true}]),
        );
    }
    if !object.contains_key("displayName")
        && let Some(name) = &user.display_name
    {
        object.insert("displayName".into(), json!(name));
    }
    object.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": timestamp(user.created_at),
            "lastModified": timestamp(user.updated_at),
            "location": format!("{base_url}/Users/{}", user.id),
            "version": etag(user.version),
        }),
    );
    resource
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim::USER;
    use time::macros::datetime;

    fn record(resource: &str) -> UserRecord {
        UserRecord {
            id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            user_name: "ada@acme.example".into(),
            external_id: Some("00u1".into()),
            active: true,
            role: "member".into(),
            display_name: Some("Ada".into()),
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            email: Some("ada@acme.example".into()),
            department: Some("R&D".into()),
            title: None,
            resource: resource.into(),
            version: 3,
            created_at: datetime!(2026-01-31 09:00:00.123 UTC),
            updated_at: datetime!(2026-02-01 10:30:00 UTC),
            groups_json: None,
        }
    }

    fn shown(resource: &str, attributes: &str, excluded: &str) -> Value {
        let list = |raw: &str| scim::parse_attribute_list(raw).expect("attribute list");
        scim::project_owned(
            resource_of(&record(resource)),
            &list(attributes),
            &list(excluded),
            &USER,
        )
    }

    fn resource_of(user: &UserRecord) -> Value {
        resource(user, "https://go.example/scim/v2")
    }

    const STORED: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName":"ada@acme.example","externalId":"00u1","active":true,
        "name":{"givenName":"Ada","familyName":"Lovelace"},"Emails":[{"Value":"ada@acme.example",
        "type":"work","primary":true}],"password":"never shown","x-custom":1,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}"#;

    /// What responses show, pinned: a faster representation or projection must not change it.
    #[test]
    fn the_shown_resource_is_pinned_for_default_attributes_and_excluded_attributes() {
        let meta = json!({
            "resourceType": "User",
            "created": "2026-01-31T09:00:00.123Z",
            "lastModified": "2026-02-01T10:30:00Z",
            "location": "https://go.example/scim/v2/Users/01930000-0000-7000-8000-000000000001",
            "version": "W/\"3\"",
        });
        assert_eq!(
            shown(STORED, "", ""),
            json!({
                "schemas": [USER_URN, ENTERPRISE_USER_URN],
                "id": "01930000-0000-7000-8000-000000000001",
                "userName": "ada@acme.example",
                "externalId": "00u1",
                "active": true,
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
                "emails": [{"value": "ada@acme.example", "type": "work", "primary": true}],
                "displayName": "Ada",
                "x-custom": 1,
                "meta": meta,
                ENTERPRISE_USER_URN: {"department": "R&D"},
            })
        );
        assert_eq!(
            shown(STORED, "userName,emails.value,meta.version", ""),
            json!({
                "schemas": [USER_URN, ENTERPRISE_USER_URN],
                "id": "01930000-0000-7000-8000-000000000001",
                "userName": "ada@acme.example",
                "emails": [{"value": "ada@acme.example"}],
                "meta": {"version": "W/\"3\""},
            })
        );
        assert_eq!(
            shown(
                STORED,
                "",
                "emails,name.familyName,meta,x-custom,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            ),
            json!({
                "schemas": [USER_URN, ENTERPRISE_USER_URN],
                "id": "01930000-0000-7000-8000-000000000001",
                "userName": "ada@acme.example",
                "externalId": "00u1",
                "active": true,
                "name": {"givenName": "Ada"},
                "displayName": "Ada",
                "x-custom": 1,
            })
        );
    }

    #[test]
    fn a_person_made_in_golinks_shows_their_columns() {
        assert_eq!(
            shown("", "", "meta"),
            json!({
                "schemas": [USER_URN],
                "id": "01930000-0000-7000-8000-000000000001",
                "userName": "ada@acme.example",
                "externalId": "00u1",
                "active": true,
                "emails": [{"value": "ada@acme.example", "type": "work", "primary": true}],
                "displayName": "Ada",
            })
        );
    }

    #[test]
    fn etags_round_trip_and_star_matches_anything() {
        assert_eq!(parse_etag(&etag(7)), Some(EtagMatch::Version(7)));
        assert_eq!(parse_etag("\"7\""), Some(EtagMatch::Version(7)));
        assert!(parse_etag("*").is_some_and(|m| m.matches(99)));
        assert_eq!(parse_etag("7"), Some(EtagMatch::Version(7)));
        assert_eq!(parse_etag("\"a,b\", W/\"7\""), Some(EtagMatch::Version(7)));
    }

    #[test]
    fn a_valid_etag_that_is_not_ours_matches_nothing_and_a_malformed_one_is_refused() {
        for valid in ["W/\"x\"", "\"abc\"", "\"\"", "\"x\", W/\"y\""] {
            let parsed = parse_etag(valid);
            assert_eq!(parsed, Some(EtagMatch::Nothing), "{valid}");
            assert!(!EtagMatch::Nothing.matches(1));
        }
        for malformed in [
            "W/x",
            "abc",
            "\"unterminated",
            "\"a\" \"b\"",
            "\"a\",",
            "\"a b\"",
        ] {
            assert_eq!(parse_etag(malformed), None, "{malformed}");
        }
    }
}
