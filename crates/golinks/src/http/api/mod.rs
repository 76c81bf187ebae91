//! The JSON API under `/_/api/v1`, described by OpenAPI 3.1 at `/_/api/openapi.json`.

mod json;
mod links;
mod me;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::app::AppState;

pub use json::ApiJson;

#[derive(OpenApi)]
#[openapi(
    info(title = "golinks API", description = "Go links of an organization."),
    paths(links::list, links::create, links::show, links::update, links::delete, links::usage, links::history, me::sessions, me::end_session),
    components(schemas(crate::http::error::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_/api/openapi.json",
            get(|| async { Json(ApiDoc::openapi()) }),
        )
        .nest("/_/api/v1", links::router().merge(me::router()))
        .route(
            "/_/api/{*rest}",
            get(not_found)
                .post(not_found)
                .patch(not_found)
                .delete(not_found)
                .put(not_found),
        )
}

async fn not_found() -> super::error::ApiError {
    super::error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "no such API endpoint")
}
