//! SAML endpoints: `GET /saml/metadata`, `GET /saml/login?next=PATH` (SP-initiated, via the
//! HTTP-Redirect binding) and `POST /saml/acs` (the identity provider's answer, HTTP-POST
//! binding, SP- or IdP-initiated). The checks themselves live in `crate::saml`.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::OffsetDateTime;

use self::browser::BrowserBinding;
use super::auth::{HostOrg, SignInAttempt, origin, session};
use super::error::PageError;
use crate::app::AppState;
use crate::domain::{Email, OrgId, Role};
use crate::saml::{self, IdpSettings, Refusal, ServiceProvider, Verified};
use crate::store::{SamlAcceptance, StoreError, User};

mod browser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/saml/metadata", get(metadata))
        .route("/saml/login", get(login))
        .route(
            "/saml/acs",
            // Room for the form encoding around the largest response we read.
            post(acs).layer(DefaultBodyLimit::max(saml::MAX_RESPONSE_BYTES * 2)),
        )
}

/// Where the identity provider knows us: the base URL `golinks sso configure` stored, else the
/// organization's canonical base URL (`org set --base-url`, or the server's `--base-url`), else
/// this request's origin (plain local use).
pub fn service_provider(
    state: &AppState,
    org: OrgId,
    settings: Option<&IdpSettings>,
    headers: &HeaderMap,
) -> ServiceProvider {
    if let Some(base) = settings.and_then(|s| s.sp_base_url.as_deref()) {
        return ServiceProvider::at(base);
    }
    match state.index.hosts().canonical(org) {
        Some(base) => ServiceProvider::at(base.origin()),
        None => ServiceProvider::at(&origin::request_origin(headers)),
    }
}

async fn settings(state: &AppState, org: OrgId) -> Result<IdpSettings, PageError> {
    state.store.sso_settings(org).await?.ok_or_else(|| {
        PageError::new(
            StatusCode::NOT_FOUND,
            "Single sign-on is not set up for this organization yet. An admin can sign in with \
             a one-time link (golinks login-link) and set it up with golinks sso configure.",
        )
    })
}

async fn metadata(State(state): State<AppState>, org: HostOrg, headers: HeaderMap) -> Response {
    let configured = match state.store.sso_settings(org.org.id).await {
        Ok(s) => s,
        Err(e) => return PageError::from(e).into_response(),
    };
    let sp = service_provider(&state, org.org.id, configured.as_ref(), &headers);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/samlmetadata+xml"),
        )],
        saml::sp_metadata(&sp),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login(
    _attempt: SignInAttempt,
    State(state): State<AppState>,
    org: HostOrg,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let next = match query {
        Ok(Query(q)) => q.next.unwrap_or_else(|| "/_/".to_owned()),
        Err(_) => return Err(PageError::new(StatusCode::BAD_REQUEST, "Malformed query.")),
    };
    let next = origin::local_path(&next).ok_or_else(|| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "After signing in you can only be sent to a page of this site.",
        )
    })?;
    let settings = settings(&state, org.org.id).await?;
    let sp = service_provider(&state, org.org.id, Some(&settings), &headers);
    let now = OffsetDateTime::now_utc();
    let browser = BrowserBinding::for_login(&headers, state.config.https());
    let request = saml::authn_request(
        &sp,
        &settings.sso_url,
        settings.email_attribute.is_none(),
        now,
    )
    .map_err(|e| PageError::internal(&format!("bad IdP sign-in URL: {e}")))?;
    state
        .store
        .record_saml_request(
            org.org.id,
            &request.id,
            next,
            &browser.digest(),
            now + saml::REQUEST_LIFETIME,
        )
        .await?;
    let location = HeaderValue::from_str(&request.redirect_url)
        .map_err(|e| PageError::internal(&format!("bad IdP sign-in URL: {e}")))?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::SET_COOKIE, browser.set_cookie(state.config.https())),
        ],
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
    relay_state: Option<String>,
}

/// The refusal page, and a WARN line whose attacker-chosen values are escaped and bounded.
fn refused(org: &HostOrg, why: &Refusal) -> PageError {
    tracing::warn!(org = %org.org.slug, reason = %why.for_log(), "SAML sign-in refused");
    crate::metrics::saml_sign_in(why.kind());
    PageError::new(
        StatusCode::FORBIDDEN,
        format!(
            "Sign-in refused: {}. Try again from go/, or ask your admin.",
            why.for_page()
        ),
    )
}

/// Too many Responses are being verified: come back shortly (RFC 9110 §15.6.4, §10.2.3).
fn busy() -> Response {
    let mut response = PageError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Too many sign-ins are being checked right now. Please try again in a few seconds.",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// Verifies on a blocking thread (the signature checks are C code), holding one of the few
/// verification slots until that thread is done, even if the client has gone: hostile posts
/// cannot take more threads than there are slots, and wait only briefly for one.
async fn verify(
    state: &AppState,
    org: &HostOrg,
    settings: &IdpSettings,
    sp: &ServiceProvider,
    encoded: String,
) -> Result<Verified, Response> {
    let slots = Arc::clone(&state.saml_verifications);
    let Ok(Ok(slot)) = tokio::time::timeout(saml::VERIFICATION_WAIT, slots.acquire_owned()).await
    else {
        tracing::warn!(org = %org.org.slug, "SAML sign-in refused: every verification slot is busy");
        crate::metrics::saml_sign_in("busy");
        return Err(busy());
    };
    let verifier = Arc::clone(&state.saml_verifier);
    let (settings, sp) = (settings.clone(), sp.clone());
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let now = OffsetDateTime::now_utc();
        saml::verify_response(&encoded, &sp, &settings, verifier.as_ref(), now)
    })
    .await
    .map_err(|e| PageError::internal(&e).into_response())?
    .map_err(|why| refused(org, &why).into_response())
}

async fn acs(
    _attempt: SignInAttempt,
    State(state): State<AppState>,
    org: HostOrg,
    headers: HeaderMap,
    form: Result<Form<AcsForm>, FormRejection>,
) -> Result<Response, Response> {
    let page = |e: PageError| e.into_response();
    let form = acs_form(&org, form).map_err(page)?;
    let settings = settings(&state, org.org.id).await.map_err(page)?;
    let sp = service_provider(&state, org.org.id, Some(&settings), &headers);
    let verified = verify(&state, &org, &settings, &sp, form.saml_response).await?;
    let email = Email::try_from(verified.email.as_str())
        .map_err(|e| page(refused(&org, &Refusal::NoEmail(e.to_string()))))?;
    let browser = BrowserBinding::presented(&headers, state.config.https());
    let next = accept(
        &state,
        &org,
        &verified,
        browser.as_deref(),
        form.relay_state,
    )
    .await
    .map_err(page)?;
    let user = person(
        &state,
        &org,
        &settings,
        &email,
        verified.display_name.as_deref(),
    )
    .await
    .map_err(page)?;
    let cookie = session::start_session(&state, org.org.id, user.id, &headers)
        .await
        .map_err(|e| page(e.into()))?;
    tracing::info!(org = %org.org.slug, user = %user.id, "signed in with SAML");
    crate::metrics::saml_sign_in("accepted");
    let location = HeaderValue::from_str(&next).unwrap_or(HeaderValue::from_static("/_/"));
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    let set = response.headers_mut();
    set.append(header::SET_COOKIE, cookie);
    set.append(
        header::SET_COOKIE,
        BrowserBinding::clear_cookie(state.config.https()),
    );
    Ok(response)
}

/// The posted form, or the page saying why there is none.
fn acs_form(
    org: &HostOrg,
    form: Result<Form<AcsForm>, FormRejection>,
) -> Result<AcsForm, PageError> {
    match form {
        Ok(Form(form)) => Ok(form),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(refused(org, &Refusal::TooLarge).with_status(e.status()))
        }
        Err(_) => Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "This page expects a SAML response posted by your identity provider.",
        )),
    }
}

/// Uses the response up (request ID, browser, assertion ID) and returns where to go next.
async fn accept(
    state: &AppState,
    org: &HostOrg,
    verified: &Verified,
    browser: Option<&[u8]>,
    relay_state: Option<String>,
) -> Result<String, PageError> {
    let acceptance = state
        .store
        .accept_saml_response(
            org.org.id,
            verified.in_response_to.as_deref(),
            browser,
            &verified.assertion_id,
            verified.valid_until,
        )
        .await?;
    match acceptance {
        SamlAcceptance::Accepted { next: Some(next) } => Ok(next),
        // Sign-in started at the IdP: RelayState may name a page of ours (Okta's
        // "Default RelayState"); anything else lands on the home page.
        SamlAcceptance::Accepted { next: None } => Ok(relay_state
            .as_deref()
            .and_then(origin::local_path)
            .unwrap_or("/_/")
            .to_owned()),
        SamlAcceptance::UnknownRequest => Err(refused(org, &Refusal::UnknownRequest)),
        SamlAcceptance::OtherBrowser => Err(refused(org, &Refusal::OtherBrowser)),
        SamlAcceptance::Replay => Err(refused(org, &Refusal::Replay)),
    }
}

/// The person the assertion names: found by email, or created just in time when the
/// organization allows it. Inactive and deleted people are refused whatever the IdP says.
async fn person(
    state: &AppState,
    org: &HostOrg,
    settings: &IdpSettings,
    email: &Email,
    display_name: Option<&str>,
) -> Result<User, PageError> {
    let found = match state.store.find_user_for_sign_in(org.org.id, email).await {
        Ok(user) => Some(user),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let forbidden = |outcome: &'static str, why: &str| {
        tracing::warn!(org = %org.org.slug, reason = why, "SAML sign-in refused");
        crate::metrics::saml_sign_in(outcome);
        PageError::new(StatusCode::FORBIDDEN, why.to_owned())
    };
    match found {
        Some(user) if user.deleted => Err(forbidden(
            "account_removed",
            "Your golinks account was removed. Ask your admin to assign golinks to you again.",
        )),
        Some(user) if !user.active => Err(forbidden(
            "account_inactive",
            "Your golinks account is inactive. Ask your admin to activate it.",
        )),
        Some(user) => Ok(user),
        None if !settings.jit => Err(forbidden(
            "no_account",
            "You have no golinks account yet. Ask your admin to assign golinks to you.",
        )),
        None => match state
            .store
            .create_user(org.org.id, email, display_name, Role::Member)
            .await
        {
            Ok(user) => {
                tracing::info!(org = %org.org.slug, user = %user.id, "created at first sign-in");
                Ok(user)
            }
            // Created meanwhile by a parallel sign-in or SCIM: use that one.
            Err(StoreError::Conflict { .. }) => {
                Ok(state.store.find_user_for_sign_in(org.org.id, email).await?)
            }
            Err(e) => Err(e.into()),
        },
    }
}
