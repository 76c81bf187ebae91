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
use super::canonical;
use super::error::PageError;
use super::security_headers;
use super::web::{MissingLinkPage, Nav};
use crate::app::AppState;
use crate::domain::{LinkId, LinkName, OrgId, Visibility};
use crate::index::strip_port;
use crate::metrics::RedirectOutcome as Outcome;
use crate::policy;
use crate::resolve;

pub fn router() -> Router<AppState> {
    Router::new().route("/{*path}", get(follow))
}

/// `/my/…` needs the caller, so it goes through the database and gets the usual layers.
pub fn private_router() -> Router<AppState> {
    Router::new().route("/my/{*path}", get(follow_private))
}

async fn follow(State(state): State<AppState>, request: Request) -> Response {
    answer(&state, request.uri(), request.headers()).await
}

/// The answer to `GET /{name}[/more][?query]`, counted in the metrics. The router's
/// catch-all route and the front service's short cut for `go/<name>` (`http::front`) both
/// come here.
pub async fn answer(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Response {
    let started = state.metrics.redirects.start();
    let (outcome, response) = lookup(state, uri, headers).await;
    state.metrics.redirects.record(outcome, started);
    response
}

/// Where `go/<path>` leads, and what that came to for the metrics.
async fn lookup(state: &AppState, uri: &Uri, headers: &HeaderMap) -> (Outcome, Response) {
    let host = canonical::request_host(headers, uri);
    let hosts = state.index.hosts();
    let Some(org) = hosts.org_for(host.map(strip_port)) else {
        let error = PageError::internal(&"no default organization");
        return (Outcome::NotFound, page(state, error));
    };
    // On a short alias host (`go`) the session cookie is not sent: go to the canonical host,
    // where it is, unless the organization resolves its links without sign-in anyway.
    let alias = canonical::elsewhere(&hosts, org.id, host);
    if let Some(base) = alias.filter(|_| !org.anonymous_resolution) {
        let response = canonical::redirect(base, uri, StatusCode::FOUND);
        return (Outcome::Canonical, response);
    }
    let path = uri.path().trim_start_matches('/');
    let first = path.split('/').next().unwrap_or_default();
    let key = LinkName::key_of(first);
    if key.as_deref().is_some_and(crate::domain::is_reserved) || first == "_" {
        let error = PageError::new(StatusCode::NOT_FOUND, "There is no such page.");
        return (Outcome::NotFound, page(state, error));
    }
    // Company and unlisted links are for signed-in members, unless the organization trusts
    // its network; public links are for everyone. The session check reads memory only
    // (`crate::sessions`) once a session has been seen.
    let signed_in = session::signed_in(headers, state)
        .await
        .filter(|me| me.org == org.id);
    let visitor = signed_in.as_ref().map(|me| me.user);
    let member = org.anonymous_resolution || visitor.is_some();
    let groups: &[uuid::Uuid] = signed_in.as_ref().map_or(&[], |me| &me.session.groups);
    // `go/name+` is the link's page.
    if let Some(name) = path.strip_suffix('+').filter(|n| !n.contains('/')) {
        return (Outcome::LinkPage, found(state, format!("/_/links/{name}")));
    }
    // `go/name` alone, the common case, has its `Location` ready in the index.
    let plain = key.filter(|_| path == first && uri.query().is_none_or(str::is_empty));
    match shared_link(state, org.id, (member, groups), plain.as_deref(), uri) {
        Some((link, location)) => {
            // Counting who followed it gives the link page its "people" figure.
            state.clicks.record(org.id, link, visitor);
            let response = match location {
                Ok(ready) => (StatusCode::FOUND, [(header::LOCATION, ready)]).into_response(),
                Err(location) => found(state, location),
            };
            (Outcome::Hit, response)
        }
        // Signing in happens on the canonical host, and so does everything after it.
        None => match alias {
            Some(base) => (
                Outcome::Canonical,
                canonical::redirect(base, uri, StatusCode::FOUND),
            ),
            None => match signed_in {
                // Whether the link exists is not told before sign-in.
                None => (Outcome::SignInRequired, sign_in_first(uri)),
                Some(me) => {
                    let missing = missing(state, org.id, &me.session.name, first);
                    (Outcome::Miss, page(state, missing))
                }
            },
        },
    }
}

/// The shared link the request leads to, if the caller may follow it, and its `Location`:
/// the one ready in the index for `go/<plain>` alone, else built by [`resolve::resolve`].
/// `caller`: whether they are a member of the organization (or it resolves anonymously), and
/// their groups. A link they may not follow is looked past, as if it did not exist.
fn shared_link(
    state: &AppState,
    org: OrgId,
    (member, groups): (bool, &[uuid::Uuid]),
    plain: Option<&str>,
    uri: &Uri,
) -> Option<(LinkId, Result<HeaderValue, String>)> {
    let links = state.index.links();
    let org_links = links.get(&org)?;
    let visible = |key: &str| {
        org_links
            .shared(key)
            .filter(|t| member || t.visibility == Visibility::Public)
            .filter(|t| policy::may_follow(groups, t.visible_to))
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

/// An HTML answer of this router, with the security headers the other routers get from
/// their layer: set here, so that a hit pays nothing for them.
fn page(state: &AppState, response: impl IntoResponse) -> Response {
    security_headers::on(response.into_response(), state.config.https())
}

/// `GET /my/{name}`: the caller's private links.
async fn follow_private(
    State(state): State<AppState>,
    caller: Result<ApiActor, Response>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let started = state.metrics.redirects.start();
    let (outcome, response) = lookup_private(&state, caller, &headers, &uri);
    state.metrics.redirects.record(outcome, started);
    response
}

fn lookup_private(
    state: &AppState,
    caller: Result<ApiActor, Response>,
    headers: &HeaderMap,
    uri: &Uri,
) -> (Outcome, Response) {
    let caller = match caller {
        Ok(caller) => caller,
        // A browser without a session signs in first; a bad API token is told so.
        Err(_) if !headers.contains_key(header::AUTHORIZATION) => {
            return (Outcome::SignInRequired, sign_in_first(uri));
        }
        Err(refused) => return (Outcome::SignInRequired, refused),
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
            (Outcome::Hit, found(state, hit.location))
        }
        None => {
            let error = PageError::new(
                StatusCode::NOT_FOUND,
                "You have no private link of that name.",
            );
            (Outcome::Miss, error.into_response())
        }
    }
}

fn found(state: &AppState, location: String) -> Response {
    // `Bytes::from(String)` takes the string's buffer: the header value is not copied.
    match HeaderValue::from_maybe_shared(Bytes::from(location)) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => page(
            state,
            PageError::internal(&"a destination is not a header value"),
        ),
    }
}

/// "go/<name> doesn't exist yet", with the nearest existing names: read from memory only, so
/// that a typo costs about what a hit does.
fn missing(state: &AppState, org: OrgId, user_name: &str, name: &str) -> Response {
    let suggestions = {
        let links = state.index.links();
        links
            .get(&org)
            .map(|l| l.nearest(name, 5))
            .unwrap_or_default()
    };
    let page = MissingLinkPage {
        nav: Some(Nav {
            user_name: user_name.to_owned(),
            current: "",
            admin: false,
        }),
        name,
        valid: LinkName::try_from(name).is_ok(),
        suggestions,
    };
    (StatusCode::NOT_FOUND, page).into_response()
}
