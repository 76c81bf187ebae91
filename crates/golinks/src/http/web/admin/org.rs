//! Organization settings: name and anonymous resolution. The host names are shown, not
//! edited: they are the operator's (`golinks org create|set --host`), since whoever holds a
//! host name gets everyone's links and sign-in on it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Admin, back_to};
use crate::app::AppState;
use crate::http::auth::Member;
use crate::http::error::PageError;
use crate::http::web::Nav;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/_/admin/org", get(org).post(save_org))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_org.html")]
struct OrgPage {
    nav: Option<Nav>,
    name: String,
    slug: String,
    hosts: Vec<String>,
    is_default: bool,
    anonymous_resolution: bool,
    error: Option<(&'static str, String)>,
}

impl OrgPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn org(Admin(admin): Admin) -> Result<Response, PageError> {
    Ok(OrgPage {
        nav: admin.nav("admin"),
        name: admin.org.name.clone(),
        slug: admin.org.slug.clone(),
        hosts: admin.org.hosts.clone(),
        is_default: admin.org.is_default,
        anonymous_resolution: admin.org.anonymous_resolution,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    name: String,
    /// Only to refuse it: an old form (or a forged one) that still sends host names.
    hosts: Option<String>,
    anonymous_resolution: Option<String>,
}

/// The form again, with what was typed and why it was refused; nothing was saved.
fn refusal(admin: &Member, form: &OrgForm, field: &'static str, message: String) -> Response {
    let page = OrgPage {
        nav: admin.nav("admin"),
        name: form.name.clone(),
        slug: admin.org.slug.clone(),
        hosts: admin.org.hosts.clone(),
        is_default: admin.org.is_default,
        anonymous_resolution: form.anonymous_resolution.is_some(),
        error: Some((field, message)),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

async fn save_org(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Form(form): Form<OrgForm>,
) -> Result<Response, PageError> {
    if form.hosts.is_some() {
        let slug = &admin.org.slug;
        let why = format!(
            "Host names are set by the server's operator: golinks org set --org {slug} --host …"
        );
        return Ok(refusal(&admin, &form, "hosts", why));
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        let why = "The name is 1–100 characters.".to_owned();
        return Ok(refusal(&admin, &form, "name", why));
    }
    state.store.rename_org(admin.org.id, name).await?;
    state
        .store
        .set_anonymous_resolution(admin.org.id, form.anonymous_resolution.is_some())
        .await?;
    state
        .index
        .sync(&state.store)
        .await
        .map_err(|e| PageError::internal(&e))?;
    Ok(back_to("/_/admin/org"))
}
