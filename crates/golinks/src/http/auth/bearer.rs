//! `Authorization: Bearer …` (RFC 6750 §2.1), for the API (`gla_…`) and SCIM (`gls_…`): the
//! one parser, and the one way a presented token is looked up — unknown tokens remembered
//! (no database read when one is repeated), failures counted per client address.

use std::future::Future;

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::client::{Client, limit_key};
use super::limit::TooMany;
use crate::app::AppState;
use crate::domain::{TokenKind, token};
use crate::store::StoreError;

/// Why a bearer token was not accepted.
#[derive(Debug)]
pub enum BearerError {
    /// No `Authorization` header.
    Missing,
    /// Not `Bearer <prefix>…` for the expected kind of token.
    Malformed,
    /// Well formed, but no such live token.
    Unknown,
    /// Too many failures from this client address.
    TooMany(TooMany),
    Store(StoreError),
}

/// The token of an `Authorization: Bearer` header, if one is sent; `Err` when the header is
/// there but is not a bearer token of `kind`. The scheme is case-insensitive (RFC 9110 §11.1).
pub fn bearer_token(headers: &HeaderMap, kind: TokenKind) -> Result<Option<&str>, BearerError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .and(v.get(7..))
        })
        .map(str::trim)
        .filter(|t| t.starts_with(kind.prefix()))
        .map(Some)
        .ok_or(BearerError::Malformed)
}

/// Authenticates the bearer token of `kind` with `find` (digest → the token's holder, `None`
/// when unknown). A client address over its failure allowance is refused before any look-up;
/// a digest found to match nothing stored, recently, is refused without one.
pub async fn authenticate<T, F, Fut>(
    parts: &Parts,
    state: &AppState,
    kind: TokenKind,
    find: F,
) -> Result<T, BearerError>
where
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<Option<T>, StoreError>>,
{
    let client = parts.extensions.get::<Client>().map(|c| limit_key(c.addr));
    if let Some(client) = client {
        state
            .bearer_failures
            .check(client)
            .map_err(BearerError::TooMany)?;
    }
    let failed = |error: BearerError| match client.map(|c| state.bearer_failures.failed(c)) {
        Some(Err(too_many)) => BearerError::TooMany(too_many),
        _ => error,
    };
    let presented = bearer_token(&parts.headers, kind)
        .map_err(failed)?
        .ok_or(BearerError::Missing)?;
    let digest = token::digest(presented);
    if state.unknown_secrets.contains(&digest) {
        return Err(failed(BearerError::Unknown));
    }
    match find(digest.clone()).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) | Err(StoreError::NotFound) => {
            state
                .unknown_secrets
                .remember_if_never_stored(&state.store, &digest)
                .await
                .map_err(BearerError::Store)?;
            Err(failed(BearerError::Unknown))
        }
        Err(e) => Err(BearerError::Store(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_parsed_in_one_place() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, value.parse().expect("value"));
            h
        };
        let cases = [
            ("Bearer gla_abc", TokenKind::Api, Some("gla_abc")),
            ("bearer  gla_abc ", TokenKind::Api, Some("gla_abc")),
            ("BEARER gls_x", TokenKind::Scim, Some("gls_x")),
        ];
        for (value, kind, expected) in cases {
            let headers = with(value);
            let got = bearer_token(&headers, kind).expect(value);
            assert_eq!(got, expected, "{value:?}");
        }
        for (value, kind) in [
            ("Bearer gls_x", TokenKind::Api),
            ("Basic Z2xhXw==", TokenKind::Api),
            ("Bearer", TokenKind::Scim),
        ] {
            assert!(
                matches!(
                    bearer_token(&with(value), kind),
                    Err(BearerError::Malformed)
                ),
                "{value:?}"
            );
        }
        assert!(matches!(
            bearer_token(&HeaderMap::new(), TokenKind::Api),
            Ok(None)
        ));
    }
}
