//! A person calling the JSON API: with a personal API token, or from our own pages with the
//! browser's session.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::bearer::{self, BearerError};
use super::limit::Format;
use super::{HostOrg, SignedIn};
use crate::app::AppState;
use crate::domain::TokenKind;
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
        let host_org = HostOrg::from_request_parts(parts, state)
            .await?
            .for_caller(state, me.org)
            .ok_or_else(|| ApiError::unauthorized("sign in again"))?;
        Ok(ApiActor {
            actor: me.actor(),
            org: host_org,
        })
    }
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.get(header::AUTHORIZATION).is_none()
            && let Some(me) = super::session::signed_in(&parts.headers, state).await
        {
            return Self::from_session(parts, state, me)
                .await
                .map_err(IntoResponse::into_response);
        }
        let find = |digest: Vec<u8>| async move {
            match state.store.find_api_caller(&digest).await {
                Ok(caller) => Ok(Some(caller)),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        };
        let caller = bearer::authenticate(parts, state, TokenKind::Api, find)
            .await
            .map_err(refusal)?;
        let stale = caller
            .last_used_at
            .is_none_or(|t| OffsetDateTime::now_utc() - t > LAST_USED_GRANULARITY);
        if stale && let Err(e) = state.store.touch_api_token(caller.org, caller.token).await {
            tracing::warn!(error = %e, "cannot record the API token's last use");
        }
        let host_org = HostOrg::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?
            .for_caller(state, caller.org)
            .ok_or_else(|| {
                ApiError::unauthorized("unknown or revoked API token").into_response()
            })?;
        Ok(ApiActor {
            actor: Actor {
                user: caller.user,
                role: caller.role,
                groups: caller.groups,
            },
            org: host_org,
        })
    }
}

/// A refused bearer token, as a JSON problem (RFC 9457).
fn refusal(error: BearerError) -> Response {
    match error {
        BearerError::Missing => {
            ApiError::unauthorized("sign in, or send an API token: Authorization: Bearer gla_…")
        }
        BearerError::Malformed => {
            ApiError::unauthorized("malformed Authorization header: expected Bearer gla_…")
        }
        BearerError::Unknown => ApiError::unauthorized("unknown or revoked API token"),
        BearerError::TooMany(too_many) => {
            return too_many.respond(Format::Api, "failed authentications from your address");
        }
        BearerError::Store(e) => ApiError::internal(&e),
    }
    .into_response()
}
