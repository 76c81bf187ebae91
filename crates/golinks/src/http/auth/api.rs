//! A person calling the JSON API: with a personal API token, or from our own pages with the
//! browser's session.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use time::OffsetDateTime;

use super::{HostOrg, SignedIn};
use crate::app::AppState;
use crate::domain::token;
use crate::http::error::ApiError;
use crate::policy::Actor;
use crate::store::{StoreError, tokens::LAST_USED_GRANULARITY};

/// A person acting through a personal API token (`Authorization: Bearer gla_…`).
pub struct ApiActor {
    pub actor: Actor,
    pub org: HostOrg,
}

impl ApiActor {
    /// A browser's session: its unsafe requests must come from our own pages (CSRF).
    async fn from_session(
        parts: &mut Parts,
        state: &AppState,
        me: SignedIn,
    ) -> Result<Self, ApiError> {
        if !super::origin::same_origin(&parts.method, &parts.headers) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "cross-site request refused",
            ));
        }
        let mut host_org = HostOrg::from_request_parts(parts, state).await?;
        if host_org.org.id != me.org {
            host_org.org = state
                .index
                .hosts()
                .org_by_id(me.org)
                .cloned()
                .ok_or_else(|| ApiError::unauthorized("sign in again"))?;
        }
        Ok(ApiActor {
            actor: me.actor(),
            org: host_org,
        })
    }
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.get(header::AUTHORIZATION).is_none()
            && let Some(me) = super::session::signed_in(&parts.headers, state).await
        {
            return Self::from_session(parts, state, me).await;
        }
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::unauthorized("sign in, or send an API token: Authorization: Bearer gla_…")
            })?
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| t.starts_with(crate::domain::TokenKind::Api.prefix()))
            .ok_or_else(|| {
                ApiError::unauthorized("malformed Authorization header: expected Bearer gla_…")
            })?;
        let caller = match state.store.find_api_caller(&token::digest(presented)).await {
            Ok(caller) => caller,
            Err(StoreError::NotFound) => {
                return Err(ApiError::unauthorized("unknown or revoked API token"));
            }
            Err(e) => return Err(ApiError::internal(&e)),
        };
        let stale = caller
            .last_used_at
            .is_none_or(|t| OffsetDateTime::now_utc() - t > LAST_USED_GRANULARITY);
        if stale && let Err(e) = state.store.touch_api_token(caller.org, caller.token).await {
            tracing::warn!(error = %e, "cannot record the API token's last use");
        }
        let mut host_org = HostOrg::from_request_parts(parts, state).await?;
        // The token decides the organization; the host only names this server.
        if host_org.org.id != caller.org {
            host_org.org = state
                .index
                .hosts()
                .org_by_id(caller.org)
                .cloned()
                .ok_or_else(|| ApiError::unauthorized("unknown or revoked API token"))?;
        }
        Ok(ApiActor {
            actor: Actor {
                user: caller.user,
                role: caller.role,
            },
            org: host_org,
        })
    }
}
