//! People: search, role, activation (with SCIM's effects), giving a person's links away.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Admin, back_to};
use crate::app::AppState;
use crate::domain::{OrgId, Role, UserId};
use crate::http::error::PageError;
use crate::http::web::Nav;
use crate::store::{GroupGrant, Person};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/_/admin/people", get(people))
        .route("/_/admin/people/{id}", post(change_person))
        .route("/_/admin/people/{id}/transfer", post(transfer_links))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    nav: Option<Nav>,
    q: String,
    people: Vec<Person>,
    roles: &'static [Role],
    me: UserId,
    /// The highest role a group gives each person who has one.
    grants: HashMap<UserId, GroupGrant>,
}

impl PeoplePage {
    fn grant(&self, id: &UserId) -> Option<&GroupGrant> {
        self.grants.get(id)
    }
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let q = search.q.unwrap_or_default().trim().to_owned();
    let people = state
        .store
        .search_people(admin.org.id, &q, None, 500)
        .await?;
    let mut grants = HashMap::new();
    // Highest first: the first grant of each person is the one that counts.
    for grant in state.store.group_grants(admin.org.id, None).await? {
        grants.entry(grant.user).or_insert(grant);
    }
    Ok(PeoplePage {
        nav: admin.nav("admin"),
        q,
        people,
        roles: Role::ALL,
        me: admin.me.user,
        grants,
    }
    .into_response())
}

#[derive(Deserialize)]
struct PersonChange {
    role: Option<String>,
    active: Option<String>,
}

async fn change_person(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(change): Form<PersonChange>,
) -> Result<Response, PageError> {
    let id: UserId = id
        .parse()
        .map_err(|_| PageError::new(StatusCode::NOT_FOUND, "There is no such person."))?;
    let org = admin.org.id;
    state.store.find_person(org, id).await?;
    if id == admin.me.user {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "You cannot change your own role or deactivate yourself; ask another admin.",
        ));
    }
    if let Some(role) = change.role {
        let role: Role = role
            .parse()
            .map_err(|e: String| PageError::new(StatusCode::BAD_REQUEST, e))?;
        refuse_below_group_role(&state, org, id, role).await?;
        state.store.set_role(org, id, role).await?;
    }
    if let Some(active) = change.active {
        // The same change an identity provider makes: SCIM shows it, sessions end.
        crate::provisioning::set_active(&state.store, org, id, active == "true")
            .await
            .map_err(|e| PageError::new(StatusCode::BAD_REQUEST, e.detail))?;
    }
    state
        .index
        .sync(&state.store)
        .await
        .map_err(|e| PageError::internal(&e))?;
    Ok(back_to("/_/admin/people"))
}

/// A role a group gives cannot be lowered by hand: the identity provider would have it
/// back at its next push, and the admin would believe it gone. The page names the group.
async fn refuse_below_group_role(
    state: &AppState,
    org: OrgId,
    id: UserId,
    role: Role,
) -> Result<(), PageError> {
    let grants = state.store.group_grants(org, Some(id)).await?;
    match grants.first() {
        Some(grant) if role.rank() < grant.role.rank() => Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "This person is {} through group {}: remove them from the group in the \
                 identity provider (or choose another group on the Groups page). Nothing was changed.",
                grant.role, grant.group
            ),
        )),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
struct Transfer {
    #[serde(default)]
    to: String,
}

/// Gives every shared link of a person (a leaver, say) to someone else; private links stay
/// theirs. Each change goes through `crate::links`, so it is checked and kept in the history.
async fn transfer_links(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(form): Form<Transfer>,
) -> Result<Response, PageError> {
    let id: UserId = id
        .parse()
        .map_err(|_| PageError::new(StatusCode::NOT_FOUND, "There is no such person."))?;
    let org = admin.org.id;
    let from = state.store.find_person(org, id).await?;
    let query = crate::store::LinkQuery {
        viewer: Some(from.id),
        owner: Some(from.id),
        limit: 10_000,
        ..Default::default()
    };
    let links = state.store.search_links(org, &query).await?.0;
    let cx = crate::links::WriteContext {
        org,
        actor: Some(admin.actor()),
        own_hosts: &admin.own_hosts,
    };
    for link in links
        .iter()
        .filter(|l| l.visibility != crate::domain::Visibility::Private)
    {
        let input = crate::links::LinkInput {
            owner: Some(form.to.trim().to_owned()),
            ..Default::default()
        };
        if let Err(e) = crate::links::Links::of(&state)
            .update(&cx, link, input)
            .await
        {
            let why = match e {
                crate::links::LinkError::Invalid(errors) => errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Could not give go/{} to {:?}: {why}",
                    link.name,
                    form.to.trim()
                ),
            ));
        }
    }
    Ok(back_to("/_/admin/people"))
}
