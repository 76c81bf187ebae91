//! A stored group as the SCIM resource clients see (RFC 7643 §4.2, §3.1 `meta`), and a
//! person's `groups` (RFC 7643 §4.1.2).

use scim::{AttrPath, GROUP_URN};
use serde_json::{Value, json};

use super::representation::{etag, timestamp};
use crate::store::{GroupMember, GroupRecord, UserGroup};

/// The resource; `members` only when they were read (a projection without them never reads
/// them, however large the group).
pub fn resource(group: &GroupRecord, members: Option<&[GroupMember]>, base_url: &str) -> Value {
    let mut resource = json!({
        "schemas": [GROUP_URN],
        "id": group.id.to_string(),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": timestamp(group.created_at),
            "lastModified": timestamp(group.updated_at),
            "location": format!("{base_url}/Groups/{}", group.id),
            "version": etag(group.version),
        },
    });
    if let Some(external_id) = &group.external_id {
        resource["externalId"] = json!(external_id);
    }
    if let Some(members) = members.filter(|m| !m.is_empty()) {
        resource["members"] = members.iter().map(|m| member(m, base_url)).collect();
    }
    resource
}

/// A member (RFC 7643 §4.2): always a User here, with the absolute URI of its resource.
fn member(m: &GroupMember, base_url: &str) -> Value {
    json!({
        "value": m.user_id.to_string(),
        "$ref": format!("{base_url}/Users/{}", m.user_id),
        "display": m.display,
        "type": "User",
    })
}

/// A person's group (RFC 7643 §4.1.2): `direct`, since groups do not nest here.
pub fn user_group(g: &UserGroup, base_url: &str) -> Value {
    json!({
        "value": g.group_id.to_string(),
        "$ref": format!("{base_url}/Groups/{}", g.group_id),
        "display": g.display_name,
        "type": "direct",
    })
}

/// Whether a response projected with these lists shows the multi-valued attribute `attr`
/// (RFC 7644 §3.4.2.5), so that it is read only when it is.
pub fn shows(attr: &str, attributes: &[AttrPath], excluded: &[AttrPath]) -> bool {
    let names = |p: &AttrPath| p.attr.eq_ignore_ascii_case(attr);
    if excluded.iter().any(|p| names(p) && p.sub_attr.is_none()) {
        return false;
    }
    attributes.is_empty() || attributes.iter().any(names)
}
