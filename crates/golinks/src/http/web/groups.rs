//! Group pages for signed-in members: `/_/groups` (every group, with its member count) and
//! `/_/groups/{name}` (its members, the links it owns as a team, and the role it gives when
//! it gives one). Groups come
//! from the identity provider (SCIM `/Groups`): nothing here edits them. Any member may
//! read them, as they may read the people directory.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Member, Nav};
use crate::app::AppState;
use crate::domain::Role;
use crate::http::error::PageError;
use crate::store::{GroupRecord, Link, LinkQuery, Person, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/groups", get(index))
        .route("/_/groups/{name}", get(show))
}

/// A group's page address: its name, escaped as one path segment.
pub fn group_href(name: &str) -> String {
    let segment: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    // form encoding writes a space as `+`, which a path keeps literally.
    format!("/_/groups/{}", segment.replace('+', "%20"))
}

/// A group as a list shows it.
pub struct GroupRow {
    pub name: String,
    pub href: String,
    pub members: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups.html")]
struct IndexPage {
    nav: Option<Nav>,
    groups: Vec<GroupRow>,
}

async fn index(State(state): State<AppState>, member: Member) -> Result<Response, PageError> {
    let groups = state
        .store
        .group_summaries(member.org.id)
        .await?
        .into_iter()
        .map(|g| GroupRow {
            href: group_href(&g.display_name),
            name: g.display_name,
            members: g.members,
        })
        .collect();
    Ok(IndexPage {
        nav: member.nav("groups"),
        groups,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "group.html")]
struct GroupPage {
    nav: Option<Nav>,
    group: GroupRecord,
    /// The role everyone in the group has, when the organization maps it to one.
    grants: Option<Role>,
    members: Vec<Person>,
    people_href: String,
    /// The links the team owns that the viewer may see, most followed first.
    links: Vec<Link>,
    links_total: i64,
}

/// At most this many members are listed; the people directory filters by group past that.
const SHOWN: i64 = 500;

async fn show(
    State(state): State<AppState>,
    member: Member,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    let org = member.org.id;
    let group = match state.store.group_by_name(org, &name).await {
        Ok(group) => group,
        Err(StoreError::NotFound) => {
            let why = format!("There is no group named {name:?}.");
            return Err(PageError::new(StatusCode::NOT_FOUND, why));
        }
        Err(e) => return Err(e.into()),
    };
    let members = state
        .store
        .search_people(org, "", Some(group.id), SHOWN)
        .await?;
    let team_links = LinkQuery {
        viewer: Some(member.me.user),
        owner_group: Some(group.id),
        limit: SHOWN,
        ..LinkQuery::default()
    };
    let (links, links_total) = state.store.search_links(org, &team_links).await?;
    let roles = state.store.role_groups(org).await?;
    let grants = if roles.admin == Some(group.id) {
        Some(Role::Admin)
    } else if roles.moderator == Some(group.id) {
        Some(Role::Moderator)
    } else {
        None
    };
    let people_href = format!(
        "/_/people?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("group", &group.display_name)
            .finish()
    );
    Ok(GroupPage {
        nav: member.nav("groups"),
        group,
        grants,
        members,
        people_href,
        links,
        links_total,
    }
    .into_response())
}
