//! What the service provider supports (RFC 7644 §4): ServiceProviderConfig, ResourceTypes
//! and Schemas, describing exactly what is served: User with the enterprise extension, and
//! Group (RFC 7643 §4.2).

use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::routing::get;
use scim::{ENTERPRISE_USER_URN, GROUP_URN, ScimError, USER_URN};
use serde_json::{Value, json};

use super::{ScimFailure, ScimJson, base_url};
use crate::app::AppState;
use crate::provisioning::list::{DEFAULT_COUNT, MAX_COUNT};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
}

/// RFC 7643 §5, with RFC 9865's `pagination`. Discovery needs no token (RFC 7644 §4).
async fn service_provider_config(headers: HeaderMap) -> ScimJson {
    let base = base_url(&headers);
    ScimJson::ok(json!({
        "schemas": [SPC_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "pagination": {
            "cursor": true,
            "index": true,
            "defaultPaginationMethod": "index",
            "defaultPageSize": DEFAULT_COUNT,
            "maxPageSize": MAX_COUNT,
        },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token made with `golinks scim-token create`, sent as Authorization: Bearer gls_…",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    }))
}

fn user_resource_type(base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "People of the organization",
        "schema": USER_URN,
        "schemaExtensions": [{"schema": ENTERPRISE_USER_URN, "required": false}],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
    })
}

fn group_resource_type(base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "Groups of people of the organization",
        "schema": GROUP_URN,
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
    })
}

fn all_resource_types(base: &str) -> Vec<Value> {
    vec![user_resource_type(base), group_resource_type(base)]
}

async fn resource_types(headers: HeaderMap) -> ScimJson {
    let resources = all_resource_types(&base_url(&headers));
    let n = resources.len() as u64;
    ScimJson::ok(scim::list_response(resources, n, 1, n, None))
}

async fn resource_type(
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<ScimJson, ScimFailure> {
    all_resource_types(&base_url(&headers))
        .into_iter()
        .find(|t| {
            t["id"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(&id))
        })
        .map(ScimJson::ok)
        .ok_or_else(|| ScimError::not_found(format!("no resource type {id:?}")).into())
}

/// The User schema, the enterprise extension and the Group schema, each with its `meta` (RFC 7643 §7).
fn supported_schemas(base: &str) -> Vec<Value> {
    scim::schema::definitions()
        .into_iter()
        .filter(|d| [USER_URN, ENTERPRISE_USER_URN, GROUP_URN].contains(&d.id))
        .map(|d| {
            let mut schema = d.to_json();
            if let Some(object) = schema.as_object_mut() {
                object.insert("meta".into(), json!({"resourceType": "Schema", "location": format!("{base}/Schemas/{}", d.id)}));
            }
            schema
        })
        .collect()
}

async fn schemas(headers: HeaderMap) -> ScimJson {
    let all = supported_schemas(&base_url(&headers));
    let n = all.len() as u64;
    ScimJson::ok(scim::list_response(all, n, 1, n, None))
}

async fn schema(headers: HeaderMap, Path(id): Path<String>) -> Result<ScimJson, ScimFailure> {
    supported_schemas(&base_url(&headers))
        .into_iter()
        .find(|s| {
            s.get("id")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(&id))
        })
        .map(ScimJson::ok)
        .ok_or_else(|| ScimError::not_found(format!("no schema {id:?}")).into())
}
