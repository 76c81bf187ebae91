//! Server-rendered pages for signed-in members: home and search, link pages, and "me". Forms
//! post back to their own page, keep what was typed on error and show each field's problem.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub use super::auth::{Member, SameOrigin};
use axum::routing::get;
use serde::Deserialize;

use super::error::PageError;
use crate::app::AppState;
use crate::store::{Link, LinkQuery};

mod admin;
mod assets;
mod groups;
pub use groups::group_href;
mod link_form;
mod links;
mod login;
mod me;
mod people;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/_/") }))
        .route("/_/", get(home))
        .merge(admin::router())
        .merge(assets::router())
        .merge(groups::router())
        .merge(links::router())
        .merge(login::router())
        .merge(me::router())
        .merge(people::router())
}

/// What the page header shows: who is signed in, and which page is current.
pub struct Nav {
    pub user_name: String,
    pub current: &'static str,
    pub admin: bool,
}

/// The name of a new token (SCIM or API), or why it cannot be one.
pub fn token_name(raw: &str) -> Result<&str, &'static str> {
    let name = raw.trim();
    if name.is_empty() || name.len() > 100 {
        return Err("Name the token (1–100 characters), for example okta or laptop script.");
    }
    Ok(name)
}

/// A token (SCIM or API) as its list shows it; the secret is never shown again.
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked: bool,
}

impl From<crate::store::TokenInfo> for TokenRow {
    fn from(t: crate::store::TokenInfo) -> Self {
        TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created_at: when(t.created_at),
            last_used_at: t.last_used_at.map_or_else(|| "never".to_owned(), when),
            revoked: t.revoked_at.is_some(),
        }
    }
}

/// A time as pages show it: `2026-12-01 23:16 UTC`.
pub fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

/// "go/<name> doesn't exist yet", with a create form and the nearest existing names.
#[derive(Template, WebTemplate)]
#[template(path = "missing.html")]
pub struct MissingLinkPage<'a> {
    pub nav: Option<Nav>,
    pub name: &'a str,
    /// Whether `name` could be created (otherwise the page says why not).
    pub valid: bool,
    pub suggestions: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    org_name: String,
    q: String,
    searched: bool,
    total: i64,
    results: Vec<Link>,
    popular: Vec<Link>,
    recent: Vec<Link>,
    used: Vec<Link>,
    mine: Vec<Link>,
}

#[derive(Deserialize)]
struct HomeQuery {
    q: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let q = query.q.unwrap_or_default().trim().to_owned();
    let org = member.org.id;
    let viewer = Some(member.me.user);
    let search = |text: &str, limit, newest_first, mine| LinkQuery {
        text: text.to_owned(),
        viewer,
        mine,
        newest_first,
        limit,
        ..LinkQuery::default()
    };
    let mut page = HomePage {
        nav: member.nav("home"),
        org_name: member.org.name.clone(),
        searched: !q.is_empty(),
        q,
        total: 0,
        results: Vec::new(),
        popular: Vec::new(),
        recent: Vec::new(),
        used: Vec::new(),
        mine: Vec::new(),
    };
    if page.searched {
        let (found, total) = state
            .store
            .search_links(org, &search(&page.q, 50, false, None))
            .await?;
        page.results = found;
        page.total = total;
    } else {
        page.popular = state
            .store
            .search_links(org, &search("", 8, false, None))
            .await?
            .0;
        page.recent = state
            .store
            .search_links(org, &search("", 8, true, None))
            .await?
            .0;
        let actor = member.actor();
        for id in state.store.recently_used(org, member.me.user, 8).await? {
            match state.store.find_link(org, id).await {
                Ok(link) => {
                    if crate::policy::may_view(&actor, crate::links::facts_of(&link)) {
                        page.used.push(link);
                    }
                }
                Err(crate::store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        // Mine: the links I own and my teams' (the list shows which team's each is).
        page.mine = state
            .store
            .search_links(org, &search("", 20, true, viewer))
            .await?
            .0;
    }
    Ok(page.into_response())
}
