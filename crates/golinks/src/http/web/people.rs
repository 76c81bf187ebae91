//! The team directory: `/_/people?q=&group=` and a profile page per person with their
//! groups and links.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::groups::group_href;
use super::{Member, Nav};
use crate::app::AppState;
use crate::domain::UserId;
use crate::http::error::PageError;
use crate::store::{Link, LinkQuery, Person, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/people", get(directory))
        .route("/_/people/{id}", get(profile))
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
struct DirectoryPage {
    nav: Option<Nav>,
    q: String,
    /// The group filter as typed, and every group for the filter's choices.
    group: String,
    groups: Vec<String>,
    people: Vec<Person>,
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
    group: Option<String>,
}

async fn directory(
    State(state): State<AppState>,
    member: Member,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let org = member.org.id;
    let q = search.q.unwrap_or_default().trim().to_owned();
    let group = search.group.unwrap_or_default().trim().to_owned();
    let group_id = if group.is_empty() {
        None
    } else {
        match state.store.group_by_name(org, &group).await {
            Ok(found) => Some(found.id),
            Err(StoreError::NotFound) => {
                let why = format!("There is no group named {group:?}.");
                return Err(PageError::new(StatusCode::NOT_FOUND, why));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let people = state.store.search_people(org, &q, group_id, 200).await?;
    let groups = state.store.group_summaries(org).await?;
    Ok(DirectoryPage {
        nav: member.nav("people"),
        q,
        group,
        groups: groups.into_iter().map(|g| g.display_name).collect(),
        people,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct ProfilePage {
    nav: Option<Nav>,
    person: Person,
    /// The person's groups: name and page address.
    groups: Vec<(String, String)>,
    links: Vec<Link>,
}

async fn profile(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let missing = || PageError::new(StatusCode::NOT_FOUND, "There is no such person.");
    let id: UserId = id.parse().map_err(|_| missing())?;
    let person = match state.store.find_person(member.org.id, id).await {
        Ok(person) => person,
        Err(StoreError::NotFound) => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    // Their links that the viewer may see.
    let query = LinkQuery {
        viewer: Some(member.me.user),
        owner: Some(person.id),
        limit: 200,
        ..Default::default()
    };
    let links = state.store.search_links(member.org.id, &query).await?.0;
    let groups = state
        .store
        .scim_user_groups(member.org.id, &[person.id.as_uuid()])
        .await?
        .into_iter()
        .map(|g| (group_href(&g.display_name), g.display_name))
        .collect();
    Ok(ProfilePage {
        nav: member.nav("people"),
        person,
        groups,
        links,
    }
    .into_response())
}
