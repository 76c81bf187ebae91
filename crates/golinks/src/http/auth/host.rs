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
    /// This server's own addresses beside the organization's host names: the request's
    /// `Host` (with its port, if it names one) and the configured `--base-url`'s, lowercase.
    pub addresses: Vec<String>,
}

impl HostOrg {
    /// This server's own addresses, `host` (on the default ports) or `host:port`: a
    /// destination there would loop.
    pub fn own_hosts(&self) -> Vec<String> {
        let mut hosts = self.org.hosts.clone();
        hosts.extend(self.addresses.iter().cloned());
        hosts
    }

    /// The caller's own organization in place of the host's: a token or a session decides the
    /// organization, the host only names this server. `None` if that organization is gone.
    pub fn for_caller(mut self, state: &AppState, org: crate::domain::OrgId) -> Option<Self> {
        if self.org.id != org {
            self.org = state.index.hosts().org_by_id(org).cloned()?;
        }
        Some(self)
    }
}

impl FromRequestParts<AppState> for HostOrg {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authority = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        let hosts = state.index.hosts();
        let org = hosts
            .org_for(authority.as_deref().map(strip_port))
            .cloned()
            .ok_or_else(|| ApiError::internal(&"no default organization"))?;
        // The organization's own canonical URL (`golinks org set --base-url`) is ours too.
        let canonical = hosts
            .canonical(org.id)
            .map(crate::domain::BaseUrl::authority);
        let base = state
            .config
            .base_url
            .as_deref()
            .and_then(|b| url::Url::parse(b).ok())
            .and_then(|u| {
                let host = u.host_str()?.to_ascii_lowercase();
                Some(u.port().map_or(host.clone(), |p| format!("{host}:{p}")))
            });
        Ok(HostOrg {
            org,
            addresses: authority.into_iter().chain(base).chain(canonical).collect(),
        })
    }
}
