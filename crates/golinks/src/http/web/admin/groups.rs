//! Admin: the groups the identity provider pushed (member counts, last change) and which
//! of them grant the admin and moderator roles (`store::group_roles`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::{Admin, back_to};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::http::web::{Nav, when};
use crate::store::{RoleGroups, StoreError};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/_/admin/groups", get(groups).post(save_role_groups))
}

pub struct AdminGroupRow {
    pub id: String,
    pub name: String,
    pub href: String,
    pub members: i64,
    pub changed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_groups.html")]
struct GroupsPage {
    nav: Option<Nav>,
    groups: Vec<AdminGroupRow>,
    admin_group: String,
    moderator_group: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    admin: &Admin,
    error: Option<String>,
) -> Result<Response, PageError> {
    let org = admin.0.org.id;
    let roles = state.store.role_groups(org).await?;
    let shown = |id: Option<Uuid>| id.map(|id| id.to_string()).unwrap_or_default();
    let groups = state
        .store
        .group_summaries(org)
        .await?
        .into_iter()
        .map(|g| AdminGroupRow {
            id: g.id.to_string(),
            href: crate::http::web::group_href(&g.display_name),
            name: g.display_name,
            members: g.members,
            changed: when(g.updated_at),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = GroupsPage {
        nav: admin.0.nav("admin"),
        groups,
        admin_group: shown(roles.admin),
        moderator_group: shown(roles.moderator),
        error,
    };
    Ok((status, page).into_response())
}

async fn groups(State(state): State<AppState>, admin: Admin) -> Result<Response, PageError> {
    page(&state, &admin, None).await
}

#[derive(Deserialize)]
struct RoleGroupsForm {
    #[serde(default)]
    admin_group: String,
    #[serde(default)]
    moderator_group: String,
}

/// An empty choice: no group grants the role.
fn group_id(raw: &str) -> Result<Option<Uuid>, ()> {
    match raw.trim() {
        "" => Ok(None),
        id => id.parse().map(Some).map_err(|_| ()),
    }
}

async fn save_role_groups(
    State(state): State<AppState>,
    admin: Admin,
    Form(form): Form<RoleGroupsForm>,
) -> Result<Response, PageError> {
    let refused = "Choose one of the groups listed (or none); nothing was changed.".to_owned();
    let (Ok(admin_group), Ok(moderator_group)) =
        (group_id(&form.admin_group), group_id(&form.moderator_group))
    else {
        return page(&state, &admin, Some(refused)).await;
    };
    let groups = RoleGroups {
        admin: admin_group,
        moderator: moderator_group,
    };
    match state.store.set_role_groups(admin.0.org.id, groups).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return page(&state, &admin, Some(refused)).await,
        Err(e) => return Err(e.into()),
    }
    state
        .index
        .sync(&state.store)
        .await
        .map_err(|e| PageError::internal(&e))?;
    Ok(back_to("/_/admin/groups"))
}
