//! `GET /{name}[/more][?query]`: the hot path. A hit reads only the in-memory index and adds
//! one to an in-memory click counter; the database is not touched.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::auth::ApiActor;
use super::auth::{session, sign_in_first};
use super::error::{ApiError, PageError};
use super::web::{MissingLinkPage, Nav};
use crate::app::AppState;
use crate::domain::{LinkId, LinkName, OrgId, Visibility};
use crate::index::strip_port;
use crate::resolve;

pub fn router() -> Router<AppState> {
    Router::new().route("/{*path}", get(follow))
}

/// `/my/…` needs the caller, so it goes through the database and gets the usual layers.
pub fn private_router() -> Router<AppState> {
    Router::new().route("/my/{*path}", get(follow_private))
}

async fn follow(State(state): State<AppState>, request: Request) -> Response {
    let (uri, headers) = (request.uri(), request.headers());
    let path = uri.path().trim_start_matches('/');
    let first = path.split('/').next().unwrap_or_default();
    let key = LinkName::key_of(first);
    if key.as_deref().is_some_and(crate::domain::is_reserved) || first == "_" {
        return PageError::new(StatusCode::NOT_FOUND, "There is no such page.").into_response();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let hosts = state.index.hosts();
    let Some(org) = hosts.org_for(host.map(strip_port)) else {
        return PageError::internal(&"no default organization").into_response();
    };
    // Company and unlisted links are for signed-in members, unless the organization trusts
    // its network; public links are for everyone. The session check reads memory only
    // (`crate::sessions`) once a session has been seen.
    let visitor = session::signed_in(headers, &state)
        .await
        .filter(|me| me.org == org.id)
        .map(|me| me.user);
    let member = org.anonymous_resolution || visitor.is_some();
    // `go/name+` is the link's page.
    if let Some(name) = path.strip_suffix('+').filter(|n| !n.contains('/')) {
        return found(format!("/_/links/{name}"));
    }
    // `go/name` alone, the common case, has its `Location` ready in the index.
    let plain = key.filter(|_| path == first && uri.query().is_none_or(str::is_empty));
    match shared_link(&state, org.id, member, plain.as_deref(), uri) {
        Some((link, location)) => {
            // Counting who followed it gives the link page its "people" figure.
            state.clicks.record(org.id, link, visitor);
            match location {
                Ok(ready) => (StatusCode::FOUND, [(header::LOCATION, ready)]).into_response(),
                Err(location) => found(location),
            }
        }
        // Whether the link exists is not told before sign-in.
        None if visitor.is_none() => sign_in_first(uri),
        None => missing(&state, org.id, visitor, first).await,
    }
}

/// The shared link the request leads to, if the caller may follow it, and its `Location`:
/// the one ready in the index for `go/<plain>` alone, else built by [`resolve::resolve`].
fn shared_link(
    state: &AppState,
    org: OrgId,
    member: bool,
    plain: Option<&str>,
    uri: &Uri,
) -> Option<(LinkId, Result<HeaderValue, String>)> {
    let links = state.index.links();
    let org_links = links.get(&org)?;
    let visible = |key: &str| {
        org_links
            .shared(key)
            .filter(|t| member || t.visibility == Visibility::Public)
    };
    if let Some(target) = plain.and_then(visible).filter(|t| t.location.is_some()) {
        let ready = target.location.clone()?;
        return Some((target.link_id, Ok(ready)));
    }
    let path = uri.path().trim_start_matches('/');
    resolve::resolve(path, uri.query(), |key| {
        visible(key).map(|t| (t.link_id, t.url.as_str()))
    })
    .map(|hit| (hit.target, Err(hit.location)))
}

/// `GET /my/{name}`: the caller's private links.
async fn follow_private(
    State(state): State<AppState>,
    caller: Result<ApiActor, ApiError>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let caller = match caller {
        Ok(caller) => caller,
        // A browser without a session signs in first; a bad API token is told so.
        Err(_) if !headers.contains_key(header::AUTHORIZATION) => return sign_in_first(&uri),
        Err(e) => return e.into_response(),
    };
    let path = uri.path().trim_start_matches("/my/");
    let (org, user) = (caller.org.org.id, caller.actor.user);
    let resolved = {
        let links = state.index.links();
        let org_links = links.get(&org);
        resolve::resolve(path, uri.query(), |key| {
            let target = org_links?.private(user.as_uuid(), key)?;
            Some((target.link_id, target.url.as_str()))
        })
    };
    match resolved {
        Some(hit) => {
            state.clicks.record(org, hit.target, Some(user));
            found(hit.location)
        }
        None => PageError::new(
            StatusCode::NOT_FOUND,
            "You have no private link of that name.",
        )
        .into_response(),
    }
}

fn found(location: String) -> Response {
    // `Bytes::from(String)` takes the string's buffer: the header value is not copied.
    match HeaderValue::from_maybe_shared(Bytes::from(location)) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => PageError::internal(&"a destination is not a header value").into_response(),
    }
}

async fn missing(
    state: &AppState,
    org: OrgId,
    visitor: Option<crate::domain::UserId>,
    name: &str,
) -> Response {
    let suggestions = {
        let links = state.index.links();
        links
            .get(&org)
            .map(|l| l.nearest(name, 5))
            .unwrap_or_default()
    };
    let user = match visitor {
        Some(id) => state.store.find_user(org, id).await.ok(),
        None => None,
    };
    let page = MissingLinkPage {
        nav: user.map(|u| Nav {
            user_name: u.display_name.unwrap_or(u.user_name),
            current: "",
            admin: false,
        }),
        name,
        valid: LinkName::try_from(name).is_ok(),
        suggestions,
    };
    (StatusCode::NOT_FOUND, page).into_response()
}
