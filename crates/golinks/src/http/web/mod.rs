//! Server-rendered pages. The full web UI comes with its own issue; these are the pages the
//! redirect path and the errors need, and a home page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::auth::HostOrg;
use super::session::Visitor;
use crate::app::AppState;

mod login;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/_/") }))
        .route("/_/", get(home))
        .merge(login::router())
}

/// "go/<name> doesn't exist yet", with the nearest existing names.
#[derive(Template, WebTemplate)]
#[template(path = "missing.html")]
pub struct MissingLinkPage<'a> {
    pub name: &'a str,
    /// Whether `name` could be created (otherwise the page says why not).
    pub valid: bool,
    pub suggestions: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    org_name: String,
    link_count: usize,
    /// The signed-in person's userName.
    signed_in_as: Option<String>,
}

async fn home(State(state): State<AppState>, org: HostOrg, Visitor(visitor): Visitor) -> Response {
    let link_count = state.index.links().get(&org.org.id).map_or(0, |l| l.len());
    // The web UI is for signed-in members only.
    let Some(me) = visitor.filter(|me| me.org == org.org.id) else {
        return (
            StatusCode::FOUND,
            [(header::LOCATION, "/saml/login?next=%2F_%2F")],
        )
            .into_response();
    };
    let signed_in_as = state
        .store
        .find_user(me.org, me.user)
        .await
        .ok()
        .map(|u| u.user_name);
    HomePage {
        org_name: org.org.name,
        link_count,
        signed_in_as,
    }
    .into_response()
}
