//! The list response of a query (RFC 7644 §3.4.2), with RFC 9865 cursors.

use serde_json::{Map, Value};

/// The schema URN of a list response (RFC 7644 §3.4.2).
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// One page of query results.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse {
    /// The page's resources, already projected.
    pub resources: Vec<Value>,
    /// All matches of the query, not only this page's (RFC 7644 §3.4.2 "totalResults").
    pub total_results: u64,
    /// The 1-based index of the first resource of the page (RFC 7644 §3.4.2.4).
    pub start_index: u64,
    /// How many resources this page holds.
    pub items_per_page: u64,
    /// The cursor of the next page, when there is one (RFC 9865 "nextCursor").
    pub next_cursor: Option<String>,
}

impl ListResponse {
    /// The response body. The numbers are JSON integers, as Okta requires
    /// ("The `itemsPerPage`, `startIndex`, and `totalResults` values need to
    /// be exchanged as integers, not as strings", Okta's SCIM 2.0 reference).
    /// `Resources` is always present, empty when nothing matched: Entra ID's
    /// Test Connection queries a random `userName` and expects an empty list.
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// [`Self::to_json`] without copying the page's resources.
    pub fn into_json(self) -> Value {
        let mut body = Map::new();
        body.insert(
            "schemas".to_owned(),
            Value::Array(vec![Value::from(LIST_RESPONSE_SCHEMA)]),
        );
        body.insert("totalResults".to_owned(), Value::from(self.total_results));
        body.insert("startIndex".to_owned(), Value::from(self.start_index));
        body.insert("itemsPerPage".to_owned(), Value::from(self.items_per_page));
        if let Some(cursor) = self.next_cursor {
            body.insert("nextCursor".to_owned(), Value::from(cursor));
        }
        body.insert("Resources".to_owned(), Value::Array(self.resources));
        Value::Object(body)
    }
}

/// The list response body for one page; see [`ListResponse::to_json`].
pub fn list_response(
    resources: Vec<Value>,
    total: u64,
    start_index: u64,
    items_per_page: u64,
    next_cursor: Option<String>,
) -> Value {
    ListResponse {
        resources,
        total_results: total,
        start_index,
        items_per_page,
        next_cursor,
    }
    .into_json()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_empty_page_still_lists_resources_as_an_empty_array() {
        assert_eq!(
            list_response(Vec::new(), 0, 1, 0, None),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 0,
                "startIndex": 1,
                "itemsPerPage": 0,
                "Resources": [],
            })
        );
    }

    #[test]
    fn a_page_carries_its_counts_as_integers_and_its_resources() {
        let body = list_response(vec![json!({"id": "a"})], 250, 101, 1, None);
        assert_eq!(body["totalResults"], json!(250));
        assert_eq!(body["startIndex"], json!(101));
        assert_eq!(body["itemsPerPage"], json!(1));
        assert_eq!(body["Resources"], json!([{"id": "a"}]));
        assert!(body.get("nextCursor").is_none());
    }

    #[test]
    fn a_cursor_page_names_the_next_cursor() {
        let body = list_response(Vec::new(), 3, 1, 0, Some("b2Zmc2V0PTEw".to_owned()));
        assert_eq!(body["nextCursor"], json!("b2Zmc2V0PTEw"));
    }
}
