//! The team directory: `/_/people?q=` and a profile page per person with their links.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

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
    people: Vec<Person>,
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn directory(
    State(state): State<AppState>,
    member: Member,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let q = search.q.unwrap_or_default().trim().to_owned();
    let people = state.store.search_people(member.org.id, &q, 200).await?;
    Ok(DirectoryPage {
        nav: member.nav("people"),
        q,
        people,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct ProfilePage {
    nav: Option<Nav>,
    person: Person,
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
    Ok(ProfilePage {
        nav: member.nav("people"),
        person,
        links,
    }
    .into_response())
}
