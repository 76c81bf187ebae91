//! Single sign-on: the SP values to copy into the IdP, IdP metadata upload, the JIT switch.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Admin;
use crate::app::AppState;
use crate::http::error::PageError;
use crate::http::web::{Member, Nav};
use crate::saml::{self, IdpSettings, ServiceProvider};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/_/admin/sso", get(sso).post(save_sso))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_sso.html")]
struct SsoPage {
    nav: Option<Nav>,
    sp: ServiceProvider,
    settings: Option<IdpSettings>,
    metadata: String,
    error: Option<String>,
    saved: bool,
    /// The just-in-time switch as the form shows it (on when nothing is configured yet).
    jit: bool,
}

async fn sso_page(
    state: &AppState,
    admin: &Member,
    headers: &HeaderMap,
) -> Result<SsoPage, PageError> {
    let settings = state.store.sso_settings(admin.org.id).await?;
    Ok(SsoPage {
        nav: admin.nav("admin"),
        sp: crate::http::saml::service_provider(state, admin.org.id, settings.as_ref(), headers),
        jit: settings.as_ref().is_none_or(|s| s.jit),
        settings,
        metadata: String::new(),
        error: None,
        saved: false,
    })
}

async fn sso(
    State(state): State<AppState>,
    Admin(admin): Admin,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    Ok(sso_page(&state, &admin, &headers).await?.into_response())
}

#[derive(Deserialize)]
struct SsoForm {
    #[serde(default)]
    metadata: String,
    jit: Option<String>,
}

async fn save_sso(
    State(state): State<AppState>,
    Admin(admin): Admin,
    headers: HeaderMap,
    Form(form): Form<SsoForm>,
) -> Result<Response, PageError> {
    let mut page = sso_page(&state, &admin, &headers).await?;
    let current = page.settings.clone();
    let jit = form.jit.is_some();
    let settings = if form.metadata.trim().is_empty() {
        // Only the switch changed.
        match current {
            Some(s) => IdpSettings { jit, ..s },
            None => {
                page.error = Some("Paste the identity provider's metadata XML first.".into());
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
    } else {
        match saml::parse_idp_metadata(&form.metadata) {
            Ok(idp) => IdpSettings {
                entity_id: idp.entity_id,
                sso_url: idp.sso_url,
                certificates: idp.certificates,
                sp_base_url: current.as_ref().and_then(|s| s.sp_base_url.clone()),
                jit,
                idp_initiated: current.as_ref().is_none_or(|s| s.idp_initiated),
                email_attribute: current.as_ref().and_then(|s| s.email_attribute.clone()),
            },
            Err(e) => {
                page.error = Some(e.to_string());
                page.metadata = form.metadata;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
    };
    state
        .store
        .save_sso_settings(admin.org.id, &settings)
        .await?;
    page.jit = settings.jit;
    page.settings = Some(settings);
    page.saved = true;
    Ok(page.into_response())
}
