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
    /// The new owner's email: your own, or anyone's for moderators and admins.
    pub owner: Option<String>,
    /// A team to own the link instead of a person: a group's id or displayName, one you are
    /// in (moderators and admins: any). Its members may edit the link.
    pub owner_group: Option<String>,
    /// Only members of this group (id or displayName; one you are in) may follow the link;
    /// everyone else gets the answer for a link that does not exist. `""` lifts it.
    pub visible_to_group: Option<String>,
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

/// Whom an imported link belongs to and who may follow it, as found in this organization.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportedOwners {
    pub owner: Option<UserId>,
    pub owner_group: Option<uuid::Uuid>,
    pub visible_to: Option<uuid::Uuid>,
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
        draft.owner = cx.actor.as_ref().map(|a| a.user);
        self.assign_groups(cx, &input, &mut draft).await?;
        check_owners(&draft)?;
        let (link, seq) = self
            .store
            .create_link(cx.org, &draft, cx.actor.as_ref().map(|a| a.user))
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
        self.assign_groups(cx, &input, &mut draft).await?;
        check_owners(&draft)?;
        let (link, seq) = self
            .store
            .update_link(
                cx.org,
                link.id,
                &before,
                &draft,
                cx.actor.as_ref().map(|a| a.user),
            )
            .await?;
        self.apply(cx.org, seq).await?;
        Ok(link)
    }

    pub async fn delete(&self, cx: &WriteContext<'_>, link: &Link) -> Result<(), LinkError> {
        let before = draft_of(link)?;
        authorize_edit(cx, &before)?;
        let seq = self
            .store
            .delete_link(cx.org, link.id, &before, cx.actor.as_ref().map(|a| a.user))
            .await?;
        self.apply(cx.org, seq).await?;
        Ok(())
    }

    /// An imported link, checked as [`Links::create`] checks a new one. Its owner is whoever
    /// the caller found for the export's owner email, or none: an export from elsewhere names
    /// people who may not be here, and their links come in unowned (unless private). Its
    /// groups are the ones the caller found for the export's displayNames; a group that is
    /// not here is the caller's error to report, never a link silently widened.
    pub fn import_draft(
        &self,
        cx: &WriteContext<'_>,
        input: &LinkInput,
        owners: ImportedOwners,
    ) -> Result<LinkDraft, LinkError> {
        if owners.owner.is_some() && owners.owner_group.is_some() {
            return Err(LinkError::Invalid(vec![FieldError::new(
                "owner_group",
                "give the link a person or a team, not both",
            )]));
        }
        let mut draft = draft_from(None, input, cx.own_hosts)?;
        draft.owner = owners.owner;
        draft.owner_group = owners.owner_group;
        draft.visible_to = owners.visible_to;
        check_owners(&draft)?;
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
        // Someone else's private link answers as if it did not exist, and so does a link
        // restricted to a group the person is not in.
        if !policy::may_view(actor, facts_of(&link)) {
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

    /// Applies the input's `owner`, `owner_group` and `visible_to_group` to the draft, each
    /// checked in [`policy`]: every problem is a field error and nothing is written.
    async fn assign_groups(
        &self,
        cx: &WriteContext<'_>,
        input: &LinkInput,
        draft: &mut LinkDraft,
    ) -> Result<(), LinkError> {
        let actor = cx.actor.as_ref();
        let refuse = |field: &str, m: &str| LinkError::Invalid(vec![FieldError::new(field, m)]);
        if input.owner.is_some() && input.owner_group.is_some() {
            return Err(refuse(
                "owner_group",
                "give the link a person or a team, not both",
            ));
        }
        if let Some(email) = input.owner.as_deref() {
            let user = self.owner_by_email(cx, email).await?;
            // A member may give a link only to themselves (the form's "me").
            if !actor.is_none_or(|a| policy::may_give_to_person(a, user)) {
                return Err(LinkError::Forbidden(
                    "only moderators and admins can make a link someone else's",
                ));
            }
            draft.owner = Some(user);
            draft.owner_group = None;
        }
        if let Some(name) = input.owner_group.as_deref() {
            let group = self.group(cx, "owner_group", name).await?;
            if !actor.is_none_or(|a| policy::may_give_to_group(a, group)) {
                return Err(refuse(
                    "owner_group",
                    "you can give a link only to a team you are in",
                ));
            }
            draft.owner_group = Some(group);
            draft.owner = None;
        }
        match input.visible_to_group.as_deref().map(str::trim) {
            None => {}
            Some("") => draft.visible_to = None,
            Some(name) => {
                let group = self.group(cx, "visible_to_group", name).await?;
                if !actor.is_none_or(|a| policy::may_restrict_to(a, group)) {
                    return Err(refuse(
                        "visible_to_group",
                        "you can restrict a link only to a group you are in",
                    ));
                }
                draft.visible_to = Some(group);
            }
        }
        Ok(())
    }

    /// The live group a client named (id or displayName), else a field error.
    async fn group(
        &self,
        cx: &WriteContext<'_>,
        field: &str,
        name: &str,
    ) -> Result<uuid::Uuid, LinkError> {
        match self.store.find_group_ref(cx.org, name).await {
            Ok(group) => Ok(group.id),
            Err(StoreError::NotFound) => Err(LinkError::Invalid(vec![FieldError::new(
                field,
                "no such group in this organization",
            )])),
            Err(e) => Err(e.into()),
        }
    }
}

/// What [`policy`] needs to know of a stored link.
pub fn facts_of(link: &Link) -> LinkFacts {
    LinkFacts {
        owner: link.owner.as_ref().map(|o| o.id),
        owner_group: link.owner_group.as_ref().map(|g| g.id),
        visibility: link.visibility,
        visible_to: link.visible_to.as_ref().map(|g| g.id),
    }
}

fn authorize_edit(cx: &WriteContext<'_>, link: &LinkDraft) -> Result<(), LinkError> {
    let facts = LinkFacts {
        owner: link.owner,
        owner_group: link.owner_group,
        visibility: link.visibility,
        visible_to: link.visible_to,
    };
    match &cx.actor {
        Some(actor) if !policy::may_edit(actor, facts) => Err(LinkError::Forbidden(
            "only the link's owner (a person, or the team's members), moderators and admins can change it",
        )),
        _ => Ok(()),
    }
}

/// A private link needs a person to own it (it lives in their namespace); a link restricted
/// to a group is a shared one.
fn check_owners(draft: &LinkDraft) -> Result<(), LinkError> {
    let refuse = |field: &str, m: &str| Err(LinkError::Invalid(vec![FieldError::new(field, m)]));
    if draft.visibility == Visibility::Private && draft.owner.is_none() {
        return refuse("visibility", "a private link needs an owner");
    }
    if draft.visible_to.is_some()
        && !matches!(draft.visibility, Visibility::Company | Visibility::Unlisted)
    {
        return refuse(
            "visible_to_group",
            "only a company or unlisted link can be restricted to a group",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
