//! Link pages: create, detail (usage chart, history), edit, delete. The rules are the JSON
//! API's (`crate::links`); these handlers only turn forms into `LinkInput` and errors into
//! messages next to their fields.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::link_form::{CurrentOwner, LinkForm, Team, teams};
use super::{Member, Nav, SameOrigin};
use crate::app::AppState;
use crate::http::error::PageError;
use crate::links::{FieldError, LinkError, Links, WriteContext};
use crate::policy;
use crate::store::Link;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_/links/new", get(new_form).post(create))
        .route("/_/links/{name}", get(detail))
        .route("/_/links/{name}/edit", get(edit_form).post(update))
        .route("/_/links/{name}/delete", post(delete))
}

const VISIBILITIES: &[(&str, &str)] = &[
    ("company", "Everyone signed in (company)"),
    ("unlisted", "Everyone signed in, not in search (unlisted)"),
    ("public", "Anyone, also without signing in (public)"),
    ("private", "Only me, at go/my/… (private)"),
];

#[derive(Template, WebTemplate)]
#[template(path = "link_form.html")]
struct FormPage {
    nav: Option<Nav>,
    editing: bool,
    original_name: String,
    action: String,
    form: LinkForm,
    errors: Vec<FieldError>,
    may_change_owner: bool,
    visibilities: &'static [(&'static str, &'static str)],
    /// My teams, for the owner and the restriction menus (plus the link's own, if not mine).
    teams: Vec<Team>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field || (field.is_empty() && e.field.is_empty()))
            .map(|e| e.message.as_str())
    }
}

fn form_page(member: &Member, editing: Option<&str>, form: LinkForm, teams: Vec<Team>) -> FormPage {
    FormPage {
        nav: member.nav(if editing.is_some() { "" } else { "new" }),
        editing: editing.is_some(),
        original_name: editing.unwrap_or_default().to_owned(),
        action: editing.map_or_else(
            || "/_/links/new".to_owned(),
            |name| format!("/_/links/{name}/edit"),
        ),
        form,
        errors: Vec::new(),
        may_change_owner: policy::may_change_owner(&member.actor()),
        visibilities: VISIBILITIES,
        teams,
    }
}

/// The form again, with what went wrong next to the fields.
fn refused(mut page: FormPage, error: LinkError) -> Response {
    let (status, errors) = match error {
        LinkError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        LinkError::Conflict(what) => (
            StatusCode::CONFLICT,
            vec![FieldError {
                field: "name".into(),
                message: what,
            }],
        ),
        LinkError::Forbidden(why) => (
            StatusCode::FORBIDDEN,
            vec![FieldError {
                field: String::new(),
                message: why.to_owned(),
            }],
        ),
        LinkError::NotFound => {
            return PageError::from(crate::store::StoreError::NotFound).into_response();
        }
        LinkError::Store(e) => return PageError::internal(&e).into_response(),
    };
    page.errors = errors;
    (status, page).into_response()
}

#[derive(Deserialize)]
struct Prefill {
    name: Option<String>,
    url: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    member: Member,
    Query(prefill): Query<Prefill>,
) -> Response {
    let form = LinkForm {
        name: prefill.name.unwrap_or_default(),
        url: prefill.url.unwrap_or_default(),
        visibility: "company".into(),
        owner_team: "me".into(),
        ..Default::default()
    };
    let teams = teams(&state, &member, None).await;
    form_page(&member, None, form, teams).into_response()
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Form(form): Form<LinkForm>,
) -> Response {
    let cx = WriteContext {
        org: member.org.id,
        actor: Some(member.actor()),
        own_hosts: &member.own_hosts,
    };
    let current = CurrentOwner {
        email: Some(member.user_email.clone()),
        ..CurrentOwner::default()
    };
    match Links::of(&state)
        .create(&cx, form.input(&current, &member.user_email))
        .await
    {
        Ok(link) => see_other(&format!("/_/links/{}", link.name)),
        Err(e) => {
            let teams = teams(&state, &member, None).await;
            refused(form_page(&member, None, form, teams), e)
        }
    }
}

async fn visible(state: &AppState, member: &Member, name: &str) -> Result<Link, Response> {
    Links::of(state)
        .find_visible(member.org.id, &member.actor(), name)
        .await
        .map_err(|e| match e {
            LinkError::NotFound => PageError::new(
                StatusCode::NOT_FOUND,
                format!("There is no go/{name} you can see."),
            )
            .into_response(),
            other => PageError::internal(&other).into_response(),
        })
}

async fn edit_form(
    State(state): State<AppState>,
    member: Member,
    Path(name): Path<String>,
) -> Response {
    match visible(&state, &member, &name).await {
        Ok(link) => {
            let teams = teams(&state, &member, Some(&link)).await;
            let form = LinkForm::of(&link, &member.user_email);
            form_page(&member, Some(&link.name), form, teams).into_response()
        }
        Err(response) => response,
    }
}

async fn update(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Path(name): Path<String>,
    Form(form): Form<LinkForm>,
) -> Response {
    let link = match visible(&state, &member, &name).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    let cx = WriteContext {
        org: member.org.id,
        actor: Some(member.actor()),
        own_hosts: &member.own_hosts,
    };
    let input = form.input(&CurrentOwner::of(&link), &member.user_email);
    match Links::of(&state).update(&cx, &link, input).await {
        Ok(link) => see_other(&format!("/_/links/{}", link.name)),
        Err(e) => {
            let teams = teams(&state, &member, Some(&link)).await;
            refused(form_page(&member, Some(&link.name), form, teams), e)
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    member: Member,
    _: SameOrigin,
    Path(name): Path<String>,
) -> Response {
    let link = match visible(&state, &member, &name).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    let cx = WriteContext {
        org: member.org.id,
        actor: Some(member.actor()),
        own_hosts: &member.own_hosts,
    };
    match Links::of(&state).delete(&cx, &link).await {
        Ok(()) => see_other("/_/"),
        Err(LinkError::Forbidden(why)) => {
            PageError::new(StatusCode::FORBIDDEN, why).into_response()
        }
        Err(e) => PageError::internal(&e).into_response(),
    }
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

struct Usage {
    day: i64,
    week: i64,
    month: i64,
    all: i64,
    people: i64,
}

struct HistoryRow {
    at: String,
    action: String,
    who: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "link_detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    notice: Option<String>,
    link: Link,
    may_edit: bool,
    usage: Usage,
    chart: String,
    history: Vec<HistoryRow>,
}

const CHART_DAYS: i64 = 90;

async fn detail(
    State(state): State<AppState>,
    member: Member,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    let link = match visible(&state, &member, &name).await {
        Ok(link) => link,
        Err(response) => return Ok(response),
    };
    let org = member.org.id;
    let today = OffsetDateTime::now_utc().date();
    let days = state.store.daily_clicks(org, link.id).await?;
    let within = |n: i64| {
        days.iter()
            .filter(|(d, _, _)| today - *d < Duration::days(n))
            .map(|(_, c, _)| c)
            .sum::<i64>()
    };
    let usage = Usage {
        day: within(1),
        week: within(7),
        month: within(30),
        all: link.clicks_total,
        people: state
            .store
            .link_people(org, link.id, today - Duration::days(CHART_DAYS - 1))
            .await?,
    };
    let chart = chart_svg(today, &days);
    let mut history = Vec::new();
    for entry in state
        .store
        .link_history(org, link.id)
        .await?
        .into_iter()
        .rev()
    {
        let who = match entry.actor {
            Some(id) => state
                .store
                .find_user(org, id)
                .await
                .map(|u| u.display_name.unwrap_or(u.user_name))
                .unwrap_or_else(|_| "someone".into()),
            None => "the command line".into(),
        };
        history.push(HistoryRow {
            at: super::when(entry.at),
            action: entry.action,
            who,
        });
    }
    Ok(DetailPage {
        nav: member.nav(""),
        notice: None,
        may_edit: policy::may_edit(&member.actor(), crate::links::facts_of(&link)),
        link,
        usage,
        chart,
        history,
    }
    .into_response())
}

/// Clicks per day for the last 90 days as bars, drawn here so the page needs no script.
fn chart_svg(today: Date, days: &[(Date, i64, i64)]) -> String {
    let (width, height, top) = (900.0_f64, 160.0_f64, 10.0_f64);
    let counts: Vec<i64> = (0..CHART_DAYS)
        .map(|back| {
            let day = today - Duration::days(CHART_DAYS - 1 - back);
            days.iter()
                .find(|(d, _, _)| *d == day)
                .map_or(0, |(_, c, _)| *c)
        })
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let bar = width / CHART_DAYS as f64;
    let total: i64 = counts.iter().sum();
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {h}" role="img" aria-label="Clicks per day for the last 90 days: {total} in all, at most {max} a day"><line class="axis" x1="0" y1="{height}" x2="{width}" y2="{height}"/>"#,
        h = height + 16.0,
    );
    for (i, count) in counts.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let h = (height - top) * (*count as f64) / (max as f64);
        let day = today - Duration::days(CHART_DAYS - 1 - i as i64);
        svg.push_str(&format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="currentColor"><title>{day}: {count}</title></rect>"#,
            x = i as f64 * bar + 1.0,
            y = height - h,
            w = (bar - 2.0).max(1.0),
        ));
    }
    let first = today - Duration::days(CHART_DAYS - 1);
    svg.push_str(&format!(
        r#"<text x="0" y="{y}">{first}</text><text x="{width}" y="{y}" text-anchor="end">{today}</text></svg>"#,
        y = height + 13.0,
    ));
    svg
}
