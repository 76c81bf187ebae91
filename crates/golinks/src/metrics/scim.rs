//! `golinks_scim_requests_total{resource, operation, status}`: the resource and operation
//! named by the request line (RFC 7644 §3.2–3.7), from fixed sets.

use axum::http::{Method, StatusCode};

use super::SCIM_REQUESTS;

/// Counts one SCIM request; `path` is the request path, `/scim/v2/…`.
pub fn scim_request(method: &Method, path: &str, status: StatusCode) {
    let (resource, operation) = classify(method, path);
    ::metrics::counter!(
        SCIM_REQUESTS,
        "resource" => resource,
        "operation" => operation,
        "status" => status.as_str().to_owned(),
    )
    .increment(1);
}

/// The resource type and the operation, each from a fixed set ("other" for anything else).
fn classify(method: &Method, path: &str) -> (&'static str, &'static str) {
    let rest = path
        .strip_prefix(crate::http::scim::BASE)
        .unwrap_or(path)
        .trim_matches('/');
    let mut segments = rest.split('/');
    let first = segments.next().unwrap_or_default();
    let second = segments.next();
    // Case-insensitive, as the router reads them (`/users` is served as `/Users`).
    let resource = match first.to_ascii_lowercase().as_str() {
        "users" => "Users",
        "groups" => "Groups",
        "serviceproviderconfig" => "ServiceProviderConfig",
        "resourcetypes" => "ResourceTypes",
        "schemas" => "Schemas",
        "bulk" => "Bulk",
        "me" => "Me",
        // §3.4.3: a search across every resource type.
        ".search" => "root",
        _ => "other",
    };
    let search = first == ".search" || second == Some(".search");
    let operation = match *method {
        Method::POST if search => "search",
        Method::POST if first == "Bulk" => "bulk",
        Method::POST => "create",
        // A single resource, or a singleton (§4, §3.11).
        Method::GET if second.is_some() || matches!(first, "ServiceProviderConfig" | "Me") => "get",
        Method::GET => "list",
        Method::PUT => "replace",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "other",
    };
    (resource, operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_a_resource_and_an_operation() {
        for (method, path, want) in [
            (Method::POST, "/scim/v2/Users", ("Users", "create")),
            (Method::GET, "/scim/v2/Users", ("Users", "list")),
            (Method::GET, "/scim/v2/Users/abc", ("Users", "get")),
            (Method::PUT, "/scim/v2/Users/abc", ("Users", "replace")),
            (Method::PATCH, "/scim/v2/Users/abc", ("Users", "patch")),
            (Method::DELETE, "/scim/v2/Users/abc", ("Users", "delete")),
            (Method::POST, "/scim/v2/Users/.search", ("Users", "search")),
            (Method::POST, "/scim/v2/.search", ("root", "search")),
            (Method::POST, "/scim/v2/Bulk", ("Bulk", "bulk")),
            (Method::GET, "/scim/v2/Groups", ("Groups", "list")),
            (
                Method::GET,
                "/scim/v2/ServiceProviderConfig",
                ("ServiceProviderConfig", "get"),
            ),
            (Method::GET, "/scim/v2/anything-typed", ("other", "list")),
            (Method::OPTIONS, "/scim/v2/Users", ("Users", "other")),
        ] {
            assert_eq!(classify(&method, path), want, "{method} {path}");
        }
    }
}
