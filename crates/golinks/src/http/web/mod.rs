//! Server-rendered pages. The full web UI comes with its own issue; these are the pages the
//! redirect path and the errors need, and a home page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
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
    let signed_in_as = match visitor {
        Some(me) => state
            .store
            .find_user(me.org, me.user)
            .await
            .ok()
            .map(|u| u.user_name),
        None => None,
    };
    HomePage {
        org_name: org.org.name,
        link_count,
        signed_in_as,
    }
    .into_response()
}
