//! What creating, changing and deleting a link means, whoever asks (JSON API, import, web):
//! input validated into a [`LinkDraft`], permission checked in [`crate::policy`], the write
//! made in one transaction, and this process's redirect index updated at once.

use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::{Destination, Email, LinkId, LinkName, OrgId, UserId, Visibility};
use crate::policy::{self, Actor, LinkFacts};
use crate::store::{Link, LinkDraft, StoreError};

pub const MAX_ALIASES: usize = 10;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_LEN: usize = 40;
pub const MAX_DESCRIPTION_LEN: usize = 2000;

/// A link as a client sends it; on update, absent fields are left as they are.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// 1–100 letters, digits, `-`, `_`, `.`; starts and ends with a letter or digit.
    pub name: Option<String>,
    /// `http`, `https` or `mailto` URL; `{1}`…`{9}`, `{*}` take extra path segments.
    pub url: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Up to 10 other names for the same link.
    pub aliases: Option<Vec<String>>,
    /// `company` (default), `unlisted`, `private` or `public`.
    pub visibility: Option<String>,
    /// The new owner's email (moderators and admins only).
    pub owner: Option<String>,
}

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl ToString) -> Self {
        Self {
            field: field.to_owned(),
            message: message.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not valid")]
    Invalid(Vec<FieldError>),
    #[error("no such link")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<Vec<FieldError>> for LinkError {
    fn from(errors: Vec<FieldError>) -> Self {
        LinkError::Invalid(errors)
    }
}

impl From<StoreError> for LinkError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => LinkError::NotFound,
            StoreError::Conflict { what } => LinkError::Conflict(what),
            other => LinkError::Store(other),
        }
    }
}

/// Where a write comes from: the organization, who acts (none for the CLI), and the host
/// names that are this server's own (a destination there would loop).
pub struct WriteContext<'a> {
    pub org: OrgId,
    pub actor: Option<Actor>,
    pub own_hosts: &'a [String],
}

pub async fn create(
    state: &AppState,
    cx: &WriteContext<'_>,
    input: LinkInput,
) -> Result<Link, LinkError> {
    let mut draft = draft_from(None, &input, cx.own_hosts)?;
    draft.owner = match input.owner.as_deref() {
        Some(_) if !cx.actor.as_ref().is_none_or(policy::may_change_owner) => {
            return Err(LinkError::Forbidden(
                "only moderators and admins can make a link someone else's",
            ));
        }
        Some(email) => Some(owner_by_email(state, cx, email).await?),
        None => cx.actor.map(|a| a.user),
    };
    check_private_has_owner(&draft)?;
    let (link, seq) = state
        .store
        .create_link(cx.org, &draft, cx.actor.map(|a| a.user))
        .await?;
    state.index.apply_write(&state.store, cx.org, seq).await?;
    Ok(link)
}

pub async fn update(
    state: &AppState,
    cx: &WriteContext<'_>,
    link: &Link,
    input: LinkInput,
) -> Result<Link, LinkError> {
    let before = draft_of(link)?;
    authorize_edit(cx, &before)?;
    let mut draft = draft_from(Some(&before), &input, cx.own_hosts)?;
    if let Some(email) = input.owner.as_deref() {
        if !cx.actor.as_ref().is_none_or(policy::may_change_owner) {
            return Err(LinkError::Forbidden(
                "only moderators and admins can give a link another owner",
            ));
        }
        draft.owner = Some(owner_by_email(state, cx, email).await?);
    }
    check_private_has_owner(&draft)?;
    let (link, seq) = state
        .store
        .update_link(cx.org, link.id, &before, &draft, cx.actor.map(|a| a.user))
        .await?;
    state.index.apply_write(&state.store, cx.org, seq).await?;
    Ok(link)
}

pub async fn delete(state: &AppState, cx: &WriteContext<'_>, link: &Link) -> Result<(), LinkError> {
    let before = draft_of(link)?;
    authorize_edit(cx, &before)?;
    let seq = state
        .store
        .delete_link(cx.org, link.id, &before, cx.actor.map(|a| a.user))
        .await?;
    state.index.apply_write(&state.store, cx.org, seq).await?;
    Ok(())
}

/// Finds a link by id or by name (shared namespace) that `actor` may see.
pub async fn find_visible(
    state: &AppState,
    org: OrgId,
    actor: &Actor,
    id_or_name: &str,
) -> Result<Link, LinkError> {
    let link = match id_or_name.parse::<LinkId>() {
        Ok(id) => state.store.find_link(org, id).await?,
        Err(_) => {
            let key = LinkName::key_of(id_or_name).ok_or(LinkError::NotFound)?;
            state
                .store
                .find_link_by_name(org, crate::store::SHARED_NAMESPACE, &key)
                .await?
        }
    };
    let facts = LinkFacts {
        owner: link.owner.as_ref().map(|o| o.id),
        visibility: link.visibility,
    };
    // Someone else's private link answers as if it did not exist.
    if !policy::may_view(actor, facts) {
        return Err(LinkError::NotFound);
    }
    Ok(link)
}

fn authorize_edit(cx: &WriteContext<'_>, link: &LinkDraft) -> Result<(), LinkError> {
    let facts = LinkFacts {
        owner: link.owner,
        visibility: link.visibility,
    };
    match &cx.actor {
        Some(actor) if !policy::may_edit(actor, facts) => Err(LinkError::Forbidden(
            "only the link's owner, moderators and admins can change it",
        )),
        _ => Ok(()),
    }
}

async fn owner_by_email(
    state: &AppState,
    cx: &WriteContext<'_>,
    email: &str,
) -> Result<UserId, LinkError> {
    let invalid = |m: &str| LinkError::Invalid(vec![FieldError::new("owner", m)]);
    let email = Email::try_from(email).map_err(|e| invalid(&e.to_string()))?;
    match state.store.find_user_by_email(cx.org, &email).await {
        Ok(user) if user.active => Ok(user.id),
        Ok(_) => Err(invalid("that person is inactive")),
        Err(StoreError::NotFound) => Err(invalid("no such person in this organization")),
        Err(e) => Err(e.into()),
    }
}

fn check_private_has_owner(draft: &LinkDraft) -> Result<(), LinkError> {
    if draft.visibility == Visibility::Private && draft.owner.is_none() {
        return Err(LinkError::Invalid(vec![FieldError::new(
            "visibility",
            "a private link needs an owner",
        )]));
    }
    Ok(())
}

/// The draft that reproduces an existing link.
pub fn draft_of(link: &Link) -> Result<LinkDraft, LinkError> {
    let input = LinkInput {
        name: Some(link.name.clone()),
        url: Some(link.url.clone()),
        description: Some(link.description.clone()),
        tags: Some(link.tags.clone()),
        aliases: Some(link.aliases.clone()),
        visibility: Some(link.visibility.to_string()),
        owner: None,
    };
    let mut draft = draft_from(None, &input, &[])?;
    draft.owner = link.owner.as_ref().map(|o| o.id);
    Ok(draft)
}

/// Validates `input` over `base` (absent fields keep the base's values), reporting every
/// field's problem at once.
pub fn draft_from(
    base: Option<&LinkDraft>,
    input: &LinkInput,
    own_hosts: &[String],
) -> Result<LinkDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = match (input.name.as_deref(), base) {
        (Some(raw), _) => LinkName::try_from(raw)
            .map_err(|e| errors.push(FieldError::new("name", e)))
            .ok(),
        (None, Some(b)) => Some(b.name.clone()),
        (None, None) => {
            errors.push(FieldError::new("name", "a name is required"));
            None
        }
    };
    let url = match (input.url.as_deref(), base) {
        (Some(raw), _) => Destination::try_from(raw)
            .and_then(|d| d.refuse_self_reference(own_hosts).map(|()| d))
            .map_err(|e| errors.push(FieldError::new("url", e)))
            .ok(),
        (None, Some(b)) => Some(b.url.clone()),
        (None, None) => {
            errors.push(FieldError::new("url", "a destination URL is required"));
            None
        }
    };
    let description = input
        .description
        .as_deref()
        .map(|d| d.trim().to_owned())
        .or_else(|| base.map(|b| b.description.clone()))
        .unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        errors.push(FieldError::new(
            "description",
            format!("at most {MAX_DESCRIPTION_LEN} characters"),
        ));
    }
    let tags = match &input.tags {
        Some(raw) => validate_tags(raw)
            .map_err(|m| errors.push(FieldError::new("tags", m)))
            .unwrap_or_default(),
        None => base.map(|b| b.tags.clone()).unwrap_or_default(),
    };
    let aliases = match &input.aliases {
        Some(raw) => validate_aliases(raw, name.as_ref())
            .map_err(|m| errors.push(FieldError::new("aliases", m)))
            .unwrap_or_default(),
        None => base.map(|b| b.aliases.clone()).unwrap_or_default(),
    };
    let visibility = match input.visibility.as_deref() {
        Some(raw) => raw
            .parse()
            .map_err(|m: String| errors.push(FieldError::new("visibility", m)))
            .ok(),
        None => Some(base.map_or(Visibility::Company, |b| b.visibility)),
    };
    match (name, url, visibility) {
        (Some(name), Some(url), Some(visibility)) if errors.is_empty() => Ok(LinkDraft {
            name,
            url,
            description,
            tags,
            aliases,
            visibility,
            owner: base.and_then(|b| b.owner),
        }),
        _ => Err(errors),
    }
}

fn validate_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        let ok_chars = tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if tag.is_empty() || tag.chars().count() > MAX_TAG_LEN || !ok_chars {
            return Err(format!(
                "{tag:?}: a tag is 1–{MAX_TAG_LEN} letters, digits, '-', '_' or '.'"
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    tags.sort();
    Ok(tags)
}

fn validate_aliases(raw: &[String], name: Option<&LinkName>) -> Result<Vec<LinkName>, String> {
    let mut aliases: Vec<LinkName> = Vec::new();
    for alias in raw {
        let alias = LinkName::try_from(alias.as_str()).map_err(|e| format!("{alias:?}: {e}"))?;
        if name.is_some_and(|n| n.key() == alias.key()) {
            return Err(format!("{:?} is the link's own name", alias.as_str()));
        }
        if aliases.iter().any(|a| a.key() == alias.key()) {
            continue;
        }
        aliases.push(alias);
    }
    if aliases.len() > MAX_ALIASES {
        return Err(format!("at most {MAX_ALIASES} aliases"));
    }
    Ok(aliases)
}

#[cfg(test)]
mod tests;
