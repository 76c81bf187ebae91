//! What creating, changing and deleting a link means, whoever asks (JSON API, web pages,
//! admin pages, `golinks links import`): input validated into a [`LinkDraft`], permission
//! checked in [`crate::policy`], the write made in one transaction, and this process's
//! redirect index updated at once. [`Links`] holds just the parts that takes, so that the CLI,
//! which has no server, goes through the same path.

mod draft;

use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::{Email, LinkId, LinkName, OrgId, UserId, Visibility};
use crate::index::Index;
use crate::policy::{self, Actor, LinkFacts};
use crate::store::{ImportReport, Link, LinkDraft, Store, StoreError};

pub use draft::{draft_from, draft_of};

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

/// What link writes need: the store, and this process's redirect index when there is one.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    pub store: &'a Store,
    /// `None` in the CLI: running servers see its writes through the organization's change
    /// sequence (see `crate::index`).
    pub index: Option<&'a Index>,
}

impl<'a> Links<'a> {
    /// The server's links: writes update its redirect index at once.
    pub fn of(state: &'a AppState) -> Self {
        Links {
            store: &state.store,
            index: Some(&state.index),
        }
    }

    /// Links in a database no server of this process serves (the CLI).
    pub fn offline(store: &'a Store) -> Self {
        Links { store, index: None }
    }

    pub async fn create(&self, cx: &WriteContext<'_>, input: LinkInput) -> Result<Link, LinkError> {
        let mut draft = draft_from(None, &input, cx.own_hosts)?;
        draft.owner = match input.owner.as_deref() {
            Some(_) if !cx.actor.as_ref().is_none_or(policy::may_change_owner) => {
                return Err(LinkError::Forbidden(
                    "only moderators and admins can make a link someone else's",
                ));
            }
            Some(email) => Some(self.owner_by_email(cx, email).await?),
            None => cx.actor.map(|a| a.user),
        };
        check_private_has_owner(&draft)?;
        let (link, seq) = self
            .store
            .create_link(cx.org, &draft, cx.actor.map(|a| a.user))
            .await?;
        self.apply(cx.org, seq).await?;
        Ok(link)
    }

    pub async fn update(
        &self,
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
            draft.owner = Some(self.owner_by_email(cx, email).await?);
        }
        check_private_has_owner(&draft)?;
        let (link, seq) = self
            .store
            .update_link(cx.org, link.id, &before, &draft, cx.actor.map(|a| a.user))
            .await?;
        self.apply(cx.org, seq).await?;
        Ok(link)
    }

    pub async fn delete(&self, cx: &WriteContext<'_>, link: &Link) -> Result<(), LinkError> {
        let before = draft_of(link)?;
        authorize_edit(cx, &before)?;
        let seq = self
            .store
            .delete_link(cx.org, link.id, &before, cx.actor.map(|a| a.user))
            .await?;
        self.apply(cx.org, seq).await?;
        Ok(())
    }

    /// An imported link, checked as [`Links::create`] checks a new one. Its owner is whoever
    /// the caller found for the export's owner email, or none: an export from elsewhere names
    /// people who may not be here, and their links come in unowned (unless private).
    pub fn import_draft(
        &self,
        cx: &WriteContext<'_>,
        input: &LinkInput,
        owner: Option<UserId>,
    ) -> Result<LinkDraft, LinkError> {
        let mut draft = draft_from(None, input, cx.own_hosts)?;
        draft.owner = owner;
        check_private_has_owner(&draft)?;
        Ok(draft)
    }

    /// Writes checked imports in one transaction; a link whose name is taken is skipped.
    pub async fn import(
        &self,
        cx: &WriteContext<'_>,
        drafts: &[LinkDraft],
    ) -> Result<ImportReport, LinkError> {
        let report = self.store.import_links(cx.org, drafts).await?;
        if let Some(index) = self.index {
            index.sync(self.store).await?;
        }
        Ok(report)
    }

    /// Finds a link by id or by name (shared namespace) that `actor` may see.
    pub async fn find_visible(
        &self,
        org: OrgId,
        actor: &Actor,
        id_or_name: &str,
    ) -> Result<Link, LinkError> {
        let link = match id_or_name.parse::<LinkId>() {
            Ok(id) => self.store.find_link(org, id).await?,
            Err(_) => {
                let key = LinkName::key_of(id_or_name).ok_or(LinkError::NotFound)?;
                self.store
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

    /// Makes this process's write (which moved `org` to change `seq`) visible to its index.
    async fn apply(&self, org: OrgId, seq: i64) -> Result<(), LinkError> {
        if let Some(index) = self.index {
            index.apply_write(self.store, org, seq).await?;
        }
        Ok(())
    }

    async fn owner_by_email(
        &self,
        cx: &WriteContext<'_>,
        email: &str,
    ) -> Result<UserId, LinkError> {
        let invalid = |m: &str| LinkError::Invalid(vec![FieldError::new("owner", m)]);
        let email = Email::try_from(email).map_err(|e| invalid(&e.to_string()))?;
        match self.store.find_user_by_email(cx.org, &email).await {
            Ok(user) if user.active => Ok(user.id),
            Ok(_) => Err(invalid("that person is inactive")),
            Err(StoreError::NotFound) => Err(invalid("no such person in this organization")),
            Err(e) => Err(e.into()),
        }
    }
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

fn check_private_has_owner(draft: &LinkDraft) -> Result<(), LinkError> {
    if draft.visibility == Visibility::Private && draft.owner.is_none() {
        return Err(LinkError::Invalid(vec![FieldError::new(
            "visibility",
            "a private link needs an owner",
        )]));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
