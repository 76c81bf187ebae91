//! The indexed columns a SCIM User resource implies (RFC 7643 §4.1, §4.3), computed in one
//! place so that every write keeps them in step with the stored resource.

use scim::ENTERPRISE_USER_URN;
use serde_json::Value;

use crate::store::UserColumns;

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Columns of a normalized resource (attribute names as the schema spells them).
pub fn of(resource: &Value) -> UserColumns {
    let emails: Vec<&Value> = resource
        .get("emails")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let value_of = |e: &&Value| text(e.get("value"));
    let primary = emails
        .iter()
        .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| {
            emails
                .iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
        })
        .or(emails.first())
        .and_then(value_of);
    let enterprise = resource.get(ENTERPRISE_USER_URN);
    UserColumns {
        user_name: text(resource.get("userName")).unwrap_or_default(),
        external_id: text(resource.get("externalId")),
        // RFC 7643 §4.1.1 leaves an absent `active` to the provider: a person is active
        // unless told otherwise.
        active: resource
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        display_name: text(resource.get("displayName")),
        given_name: text(resource.get("name").and_then(|n| n.get("givenName"))),
        family_name: text(resource.get("name").and_then(|n| n.get("familyName"))),
        email: primary,
        emails: emails.iter().filter_map(value_of).collect(),
        department: text(enterprise.and_then(|e| e.get("department"))),
        title: text(resource.get("title")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_come_from_the_resource() {
        let resource = json!({
            "userName": "ada@acme.example", "externalId": "00u1", "active": false,
            "displayName": "Ada Lovelace", "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "title": "Engineer",
            "emails": [{"value": "ada@home.example", "type": "home"}, {"value": "Ada@Acme.example", "type": "work"}],
            ENTERPRISE_USER_URN: {"department": "R&D"}
        });
        let cols = of(&resource);
        assert_eq!(cols.user_name, "ada@acme.example");
        assert!(!cols.active);
        assert_eq!(
            cols.email.as_deref(),
            Some("Ada@Acme.example"),
            "work email when none is primary"
        );
        assert_eq!(cols.emails.len(), 2);
        assert_eq!(cols.department.as_deref(), Some("R&D"));
        assert_eq!(cols.given_name.as_deref(), Some("Ada"));
    }

    #[test]
    fn a_primary_email_wins_and_absent_active_means_active() {
        let cols = of(
            &json!({"userName": "x", "emails": [{"value": "a@x", "type": "work"}, {"value": "b@x", "primary": true}]}),
        );
        assert_eq!(cols.email.as_deref(), Some("b@x"));
        assert!(cols.active);
    }
}
