//! The link form as typed, and what it turns into: a `LinkInput` for `crate::links` that
//! changes the owner (a person or a team) and the group restriction only when the form's
//! choice differs from the link's.

use serde::Deserialize;

use super::Member;
use crate::app::AppState;
use crate::links::LinkInput;
use crate::store::Link;

/// The form as typed: every field kept as text so that an error page shows it again.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(super) struct LinkForm {
    pub name: String,
    pub url: String,
    pub description: String,
    pub tags: String,
    pub aliases: String,
    pub visibility: String,
    pub owner: String,
    /// `me`, or the id of a team of mine to own the link; empty: as it is.
    pub owner_team: String,
    /// The id of the group whose members alone may follow it; empty: no such restriction.
    pub visible_to: String,
}

/// Who owns a link now, as the form compares its choices with.
#[derive(Default)]
pub(super) struct CurrentOwner {
    pub email: Option<String>,
    pub team: Option<String>,
    pub visible_to: Option<String>,
}

impl CurrentOwner {
    pub(super) fn of(link: &Link) -> Self {
        CurrentOwner {
            email: link.owner.as_ref().map(|o| o.email.clone()),
            team: link.owner_group.as_ref().map(|g| g.id.to_string()),
            visible_to: link.visible_to.as_ref().map(|g| g.id.to_string()),
        }
    }
}

/// A choice of the form's team menus.
pub(super) struct Team {
    pub id: String,
    pub name: String,
}

pub(super) fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

impl LinkForm {
    pub(super) fn of(link: &Link, me: &str) -> Self {
        let owner = link.owner.as_ref().map(|o| o.email.clone());
        LinkForm {
            name: link.name.clone(),
            url: link.url.clone(),
            description: link.description.clone(),
            tags: link.tags.join(", "),
            aliases: link.aliases.join(", "),
            visibility: link.visibility.to_string(),
            owner_team: match (&link.owner_group, owner.as_deref()) {
                (Some(team), _) => team.id.to_string(),
                (None, Some(email)) if email == me => "me".into(),
                _ => String::new(),
            },
            visible_to: CurrentOwner::of(link).visible_to.unwrap_or_default(),
            owner: owner.unwrap_or_default(),
        }
    }

    /// The input for `crate::links`; owner and restriction only when they are to change. The
    /// owner's email (moderators, admins) wins over the team menu when it was changed.
    pub(super) fn input(&self, current: &CurrentOwner, me: &str) -> LinkInput {
        let mut owner = Some(self.owner.trim())
            .filter(|o| !o.is_empty() && Some(*o) != current.email.as_deref())
            .map(str::to_owned);
        let mut owner_group = None;
        match self.owner_team.trim() {
            _ if owner.is_some() => {}
            "" => {}
            "me" if current.email.as_deref() != Some(me) => owner = Some(me.to_owned()),
            "me" => {}
            team if current.team.as_deref() != Some(team) => owner_group = Some(team.to_owned()),
            _ => {}
        }
        let visible_to = self.visible_to.trim();
        let visible_to_group = (visible_to != current.visible_to.as_deref().unwrap_or(""))
            .then(|| visible_to.to_owned());
        LinkInput {
            name: Some(self.name.trim().to_owned()),
            url: Some(self.url.trim().to_owned()),
            description: Some(self.description.trim().to_owned()),
            tags: Some(list(&self.tags)),
            aliases: Some(list(&self.aliases)),
            visibility: Some(self.visibility.clone()).filter(|v| !v.is_empty()),
            owner,
            owner_group,
            visible_to_group,
        }
    }
}

/// The groups the person is in, and the link's owning team and restriction if they are not
/// among them (a moderator editing), so that the menus show what is set.
pub(super) async fn teams(state: &AppState, member: &Member, link: Option<&Link>) -> Vec<Team> {
    let mine = state
        .store
        .scim_user_groups(member.org.id, &[member.me.user.as_uuid()])
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read a person's groups for the link form");
            Vec::new()
        });
    let mut teams: Vec<Team> = mine
        .into_iter()
        .map(|g| Team {
            id: g.group_id.to_string(),
            name: g.display_name,
        })
        .collect();
    let theirs = link.into_iter().flat_map(|l| {
        let owner = l
            .owner_group
            .as_ref()
            .map(|g| (g.id, g.display_name.clone()));
        let restricted = l
            .visible_to
            .as_ref()
            .map(|g| (g.id, g.display_name.clone()));
        owner.into_iter().chain(restricted)
    });
    for (id, name) in theirs {
        if !teams.iter().any(|t| t.id == id.to_string()) {
            teams.push(Team {
                id: id.to_string(),
                name,
            });
        }
    }
    teams
}
