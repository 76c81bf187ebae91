//! `GET /{name}[/more][?query]`: the hot path. A hit reads only the in-memory index and adds
//! one to an in-memory click counter; the database is not touched.

use axum::Router;
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
use crate::domain::{LinkName, Visibility};
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
    let host = canonical::request_host(headers, uri);
    let hosts = state.index.hosts();
    let Some(org) = hosts.org_for(host.map(strip_port)) else {
        return page(&state, PageError::internal(&"no default organization"));
    };
    // On a short alias host (`go`) the session cookie is not sent: go to the canonical host,
    // where it is, unless the organization resolves its links without sign-in anyway.
    let alias = canonical::elsewhere(&hosts, org.id, host);
    if let Some(base) = alias.filter(|_| !org.anonymous_resolution) {
        return canonical::redirect(base, uri, StatusCode::FOUND);
    }
    let path = uri.path().trim_start_matches('/');
    let first = path.split('/').next().unwrap_or_default();
    if LinkName::key_of(first).is_some_and(|k| crate::domain::is_reserved(&k)) || first == "_" {
        return page(
            &state,
            PageError::new(StatusCode::NOT_FOUND, "There is no such page."),
        );
    }
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
        return found(&state, &format!("/_/links/{name}"));
    }
    match shared(&state, org.id, path, uri.query(), member) {
        Some(hit) => {
            // Counting who followed it gives the link page its "people" figure.
            state.clicks.record(org.id, hit.target, visitor);
            found(&state, &hit.location)
        }
        // Signing in happens on the canonical host, and so does everything after it.
        None => match alias {
            Some(base) => canonical::redirect(base, uri, StatusCode::FOUND),
            // Whether the link exists is not told before sign-in.
            None if visitor.is_none() => sign_in_first(uri),
            None => page(&state, missing(&state, org.id, visitor, first).await),
        },
    }
}

/// The organization's shared link for `path`: any for a member, else only public ones.
fn shared(
    state: &AppState,
    org: crate::domain::OrgId,
    path: &str,
    query: Option<&str>,
    member: bool,
) -> Option<resolve::Resolved<crate::domain::LinkId>> {
    let links = state.index.links();
    let org_links = links.get(&org);
    resolve::resolve(path, query, |key| {
        let target = org_links?.shared(key)?;
        (member || target.visibility == Visibility::Public)
            .then_some((target.link_id, target.url.as_str()))
    })
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
    let caller = match caller {
        Ok(caller) => caller,
        // A browser without a session signs in first; a bad API token is told so.
        Err(_) if !headers.contains_key(header::AUTHORIZATION) => return sign_in_first(&uri),
        Err(refused) => return refused,
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
            found(&state, &hit.location)
        }
        None => PageError::new(
            StatusCode::NOT_FOUND,
            "You have no private link of that name.",
        )
        .into_response(),
    }
}

fn found(state: &AppState, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => page(
            state,
            PageError::internal(&format!("destination is not a header value: {location:?}")),
        ),
    }
}

async fn missing(
    state: &AppState,
    org: crate::domain::OrgId,
    visitor: Option<crate::domain::UserId>,
    name: &str,
) -> Response {
    let suggestions = {
        let links = state.index.links();
        links
            .get(&org)
            .map(|l| resolve::nearest(name, l.shared_names(), 5))
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
