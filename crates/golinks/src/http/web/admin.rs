//! Admin pages (admins only, `policy::may_administer`): people (role, activation with SCIM's
//! effects), SCIM tokens (create, shown once; revoke), the provisioning log, single sign-on
//! and organization settings.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Member, Nav, TokenRow, when};
use crate::app::AppState;
use crate::domain::{Role, Secret, TokenKind, UserId};
use crate::http::error::PageError;
use crate::http::session;
use crate::policy;
use crate::saml::{self, IdpSettings, ServiceProvider};
use crate::store::{LogQuery, Person};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/admin/people", get(people))
        .route("/_/admin/people/{id}", post(change_person))
        .route("/_/admin/people/{id}/transfer", post(transfer_links))
        .route("/_/admin/tokens", get(tokens).post(create_token))
        .route("/_/admin/tokens/{id}/revoke", post(revoke_token))
        .route("/_/admin/log", get(log))
        .route("/_/admin/sso", get(sso).post(save_sso))
        .route("/_/admin/org", get(org).post(save_org))
}

/// A signed-in admin; checks CSRF too for anything but GET.
struct Admin(Member);

impl Admin {
    fn check(member: Member, method: &Method, headers: &HeaderMap) -> Result<Admin, PageError> {
        if !policy::may_administer(&member.actor()) {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "Only admins can open this page.",
            ));
        }
        if !session::same_origin(method, headers) {
            return Err(super::cross_site());
        }
        Ok(Admin(member))
    }
}

fn back_to(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    nav: Option<Nav>,
    q: String,
    people: Vec<Person>,
    roles: &'static [Role],
    me: UserId,
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
    let q = search.q.unwrap_or_default().trim().to_owned();
    let people = state.store.search_people(admin.org.id, &q, 500).await?;
    Ok(PeoplePage {
        nav: admin.nav("admin"),
        q,
        people,
        roles: Role::ALL,
        me: admin.me.user,
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
    member: Member,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(change): Form<PersonChange>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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

#[derive(Deserialize)]
struct Transfer {
    #[serde(default)]
    to: String,
}

/// Gives every shared link of a person (a leaver, say) to someone else; private links stay
/// theirs. Each change goes through `crate::links`, so it is checked and kept in the history.
async fn transfer_links(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Transfer>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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
        if let Err(e) = crate::links::update(&state, &cx, link, input).await {
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

#[derive(Template, WebTemplate)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    nav: Option<Nav>,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    admin: &Member,
    created: Option<(String, String)>,
    error: Option<String>,
) -> Result<TokensPage, PageError> {
    let tokens = state
        .store
        .list_scim_tokens(admin.org.id)
        .await?
        .into_iter()
        .map(TokenRow::from)
        .collect();
    Ok(TokensPage {
        nav: admin.nav("admin"),
        tokens,
        created,
        error,
    })
}

async fn tokens(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
    Ok(tokens_page(&state, &admin, None, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<NewToken>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
    let name = form.name.trim();
    if name.is_empty() || name.len() > 100 {
        let page = tokens_page(
            &state,
            &admin,
            None,
            Some("Name the token (1–100 characters), for example okta.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let secret = Secret::generate(TokenKind::Scim);
    state
        .store
        .create_scim_token(admin.org.id, name, &secret.digest())
        .await?;
    let created = Some((name.to_owned(), secret.reveal().to_owned()));
    Ok(tokens_page(&state, &admin, created, None)
        .await?
        .into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
    if id.parse::<uuid::Uuid>().is_err() {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "There is no such token.",
        ));
    }
    state.store.revoke_scim_tokens(admin.org.id, &id).await?;
    Ok(back_to("/_/admin/tokens"))
}

struct LogRow {
    at: String,
    request: String,
    status: i32,
    person: String,
    token: String,
    outcome: String,
    failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_log.html")]
struct LogPage {
    nav: Option<Nav>,
    failed_only: bool,
    person: String,
    since: String,
    error: Option<String>,
    entries: Vec<LogRow>,
}

#[derive(Deserialize)]
struct LogFilter {
    failed: Option<String>,
    person: Option<String>,
    since: Option<String>,
}

async fn log(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
    Query(filter): Query<LogFilter>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
    let failed_only = filter.failed.is_some_and(|f| !f.is_empty());
    let person = filter.person.unwrap_or_default().trim().to_owned();
    let since_text = filter.since.unwrap_or_default().trim().to_owned();
    let (since, error) = match since_text.as_str() {
        "" => (None, None),
        raw => match crate::store::parse_since(raw) {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e)),
        },
    };
    let query = LogQuery {
        since,
        failed_only,
        person: Some(person.clone()).filter(|p| !p.is_empty()),
        limit: 200,
    };
    let entries = state
        .store
        .provisioning_log(admin.org.id, &query)
        .await?
        .into_iter()
        .map(|e| LogRow {
            at: when(e.at),
            request: format!("{} {}", e.method, e.path),
            status: e.status,
            person: e.user_name.unwrap_or_default(),
            token: e.token_name.unwrap_or_default(),
            outcome: match (e.scim_type, e.detail) {
                (Some(t), Some(d)) => format!("{t}: {d}"),
                (None, Some(d)) => d,
                _ => String::new(),
            },
            failed: e.status >= 400,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        LogPage {
            nav: admin.nav("admin"),
            failed_only,
            person,
            since: since_text,
            error,
            entries,
        },
    )
        .into_response())
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
    let base = settings
        .as_ref()
        .and_then(|s| s.sp_base_url.clone())
        .unwrap_or_else(|| {
            let scheme = if session::is_https(headers) {
                "https"
            } else {
                "http"
            };
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("{scheme}://{host}")
        });
    Ok(SsoPage {
        nav: admin.nav("admin"),
        sp: ServiceProvider::at(&base),
        jit: settings.as_ref().is_none_or(|s| s.jit),
        settings,
        metadata: String::new(),
        error: None,
        saved: false,
    })
}

async fn sso(
    State(state): State<AppState>,
    member: Member,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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
    member: Member,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<SsoForm>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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

async fn org(member: Member, method: Method, headers: HeaderMap) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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
    member: Member,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<OrgForm>,
) -> Result<Response, PageError> {
    let Admin(admin) = Admin::check(member, &method, &headers)?;
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
