//! Which organization a request is for: the one claiming its host name, else the default.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::index::strip_port;
use crate::store::Org;

/// The organization serving the request's host name. Reads memory only.
pub struct HostOrg {
    pub org: Org,
    /// The request's host name without port, lowercase.
    pub host: Option<String>,
}

impl HostOrg {
    /// Host names that are this server's own: a destination there would loop.
    pub fn own_hosts(&self) -> Vec<String> {
        let mut hosts = self.org.hosts.clone();
        hosts.extend(self.host.clone());
        hosts
    }
}

impl FromRequestParts<AppState> for HostOrg {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| strip_port(h).to_ascii_lowercase());
        let org = state
            .index
            .hosts()
            .org_for(host.as_deref())
            .cloned()
            .ok_or_else(|| ApiError::internal(&"no default organization"))?;
        Ok(HostOrg { org, host })
    }
}
