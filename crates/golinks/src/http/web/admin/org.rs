//! Organization settings: name, host names, anonymous resolution.

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
    hosts: String,
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
        hosts: admin.org.hosts.join("\n"),
        anonymous_resolution: admin.org.anonymous_resolution,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    hosts: String,
    anonymous_resolution: Option<String>,
}

/// Host names as typed (commas, spaces or lines between them), checked one by one.
fn parse_hosts(text: &str) -> Result<Vec<String>, String> {
    let mut hosts = Vec::new();
    for raw in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|h| !h.is_empty())
    {
        let host = raw.trim_end_matches('.').to_ascii_lowercase();
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !valid {
            return Err(format!(
                "{raw:?} is not a host name (like go or go.acme.example)"
            ));
        }
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    Ok(hosts)
}

async fn save_org(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Form(form): Form<OrgForm>,
) -> Result<Response, PageError> {
    let refuse = |field: &'static str, message: String| {
        let page = OrgPage {
            nav: admin.nav("admin"),
            name: form.name.clone(),
            slug: admin.org.slug.clone(),
            hosts: form.hosts.clone(),
            anonymous_resolution: form.anonymous_resolution.is_some(),
            error: Some((field, message)),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return refuse("name", "The name is 1–100 characters.".into());
    }
    let hosts = match parse_hosts(&form.hosts) {
        Ok(hosts) => hosts,
        Err(e) => return refuse("hosts", e),
    };
    match state.store.update_org(admin.org.id, name, &hosts).await {
        Ok(()) => {}
        Err(crate::store::StoreError::Conflict { what }) => return refuse("hosts", what),
        Err(e) => return Err(e.into()),
    }
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
