//! Who may do what: the one place for authorization rules. Handlers ask here.
//!
//! | action                         | member        | moderator | admin |
//! |--------------------------------|---------------|-----------|-------|
//! | follow / see a company link    | yes           | yes       | yes   |
//! | see or follow a private link   | owner only    | owner only| owner only |
//! | follow a link visible to a group | group members | group members | group members |
//! | see it on its page, the API    | group members | yes       | yes   |
//! | create a link                  | yes           | yes       | yes   |
//! | edit / delete a link           | owner, owning group's members, or unowned | any | any |
//! | give a link another owner      | themselves or a group of theirs | anyone | anyone |
//! | restrict a link to a group     | a group of theirs | any group | any group |
//! | manage people, tokens, SSO     | no            | no        | yes   |
//!
//! A person's groups come with their session or API token ([`Actor::groups`]): read once
//! with it, so that no rule here reads the database.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::{Role, UserId, Visibility};

/// The signed-in person (or API token holder) a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
    /// The live groups the person is in.
    pub groups: Arc<[Uuid]>,
}

impl Actor {
    pub fn in_group(&self, group: Uuid) -> bool {
        self.groups.contains(&group)
    }

    fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Moderator)
    }
}

/// What a rule needs to know about a link.
#[derive(Debug, Clone, Copy)]
pub struct LinkFacts {
    pub owner: Option<UserId>,
    /// The owning team, when a group owns the link (then `owner` is none).
    pub owner_group: Option<Uuid>,
    pub visibility: Visibility,
    /// Only this group's members may follow the link.
    pub visible_to: Option<Uuid>,
}

/// Whether the person's groups let them follow a link restricted to `visible_to`: the
/// redirect's rule, answered from the session's cached groups. Everyone else gets the
/// missing-link answer, as for a name that does not exist.
pub fn may_follow(groups: &[Uuid], visible_to: Option<Uuid>) -> bool {
    visible_to.is_none_or(|g| groups.contains(&g))
}

/// Seeing a link on its page and in the API. Moderators and admins see links restricted to
/// a group they are not in, so that such a link can still be fixed or handed over.
pub fn may_view(actor: &Actor, link: LinkFacts) -> bool {
    if link.visibility == Visibility::Private {
        return link.owner == Some(actor.user);
    }
    actor.is_staff() || may_follow(&actor.groups, link.visible_to)
}

pub fn may_edit(actor: &Actor, link: LinkFacts) -> bool {
    if !may_view(actor, link) {
        return false;
    }
    if link.visibility == Visibility::Private {
        return link.owner == Some(actor.user);
    }
    if actor.is_staff() {
        return true;
    }
    match (link.owner, link.owner_group) {
        (_, Some(group)) => actor.in_group(group),
        (Some(owner), None) => owner == actor.user,
        (None, None) => true,
    }
}

/// Whether the person may hand links to others (the form's owner field): moderators, admins.
pub fn may_change_owner(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Giving a link to a person: to yourself, or (moderators, admins) to anyone.
pub fn may_give_to_person(actor: &Actor, person: UserId) -> bool {
    actor.is_staff() || person == actor.user
}

/// Giving a link to a team: to one of your own teams, or (moderators, admins) to any.
pub fn may_give_to_group(actor: &Actor, group: Uuid) -> bool {
    actor.is_staff() || actor.in_group(group)
}

/// Restricting a link to a group: one you are in (or you would lose it), or any for
/// moderators and admins.
pub fn may_restrict_to(actor: &Actor, group: Uuid) -> bool {
    actor.is_staff() || actor.in_group(group)
}

pub fn may_administer(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_table() {
        let owner = UserId::new();
        let other = UserId::new();
        let member = Actor {
            user: other,
            role: Role::Member,
            groups: Arc::from([]),
        };
        let moderator = Actor {
            user: other,
            role: Role::Moderator,
            groups: Arc::from([]),
        };
        let admin = Actor {
            user: other,
            role: Role::Admin,
            groups: Arc::from([]),
        };
        let owners = Actor {
            user: owner,
            role: Role::Member,
            groups: Arc::from([]),
        };
        let company = LinkFacts {
            owner: Some(owner),
            owner_group: None,
            visible_to: None,
            visibility: Visibility::Company,
        };
        let unowned = LinkFacts {
            owner: None,
            owner_group: None,
            visible_to: None,
            visibility: Visibility::Company,
        };
        let private = LinkFacts {
            owner: Some(owner),
            owner_group: None,
            visible_to: None,
            visibility: Visibility::Private,
        };
        let cases = [
            (
                "member views company link",
                may_view(&member, company),
                true,
            ),
            (
                "member views someone's private link",
                may_view(&member, private),
                false,
            ),
            (
                "admin views someone's private link",
                may_view(&admin, private),
                false,
            ),
            (
                "owner views own private link",
                may_view(&owners, private),
                true,
            ),
            (
                "member edits someone's link",
                may_edit(&member, company),
                false,
            ),
            (
                "member edits an unowned link",
                may_edit(&member, unowned),
                true,
            ),
            ("owner edits own link", may_edit(&owners, company), true),
            (
                "moderator edits someone's link",
                may_edit(&moderator, company),
                true,
            ),
            (
                "admin edits someone's link",
                may_edit(&admin, company),
                true,
            ),
            (
                "admin edits someone's private link",
                may_edit(&admin, private),
                false,
            ),
            (
                "member gives a link to someone",
                may_give_to_person(&member, owner),
                false,
            ),
            (
                "moderator gives a link to someone",
                may_give_to_person(&moderator, owner),
                true,
            ),
            ("moderator administers", may_administer(&moderator), false),
            ("admin administers", may_administer(&admin), true),
        ];
        for (case, got, expected) in cases {
            assert_eq!(got, expected, "case: {case}");
        }
    }

    #[test]
    fn team_links() {
        let team = Uuid::new_v4();
        let in_team = Actor {
            user: UserId::new(),
            role: Role::Member,
            groups: Arc::from([team]),
        };
        let outside = Actor {
            groups: Arc::from([Uuid::new_v4()]),
            ..in_team.clone()
        };
        let moderator = Actor {
            role: Role::Moderator,
            ..outside.clone()
        };
        let owned = LinkFacts {
            owner: None,
            owner_group: Some(team),
            visibility: Visibility::Company,
            visible_to: None,
        };
        let restricted = LinkFacts {
            visible_to: Some(team),
            ..owned
        };
        let cases = [
            ("team member edits", may_edit(&in_team, owned), true),
            ("non-member edits", may_edit(&outside, owned), false),
            ("moderator edits", may_edit(&moderator, owned), true),
            (
                "member follows",
                may_follow(&in_team.groups, Some(team)),
                true,
            ),
            (
                "non-member follows",
                may_follow(&outside.groups, Some(team)),
                false,
            ),
            (
                "moderator follows",
                may_follow(&moderator.groups, Some(team)),
                false,
            ),
            ("anyone follows unrestricted", may_follow(&[], None), true),
            ("non-member views", may_view(&outside, restricted), false),
            ("moderator views", may_view(&moderator, restricted), true),
            (
                "non-member edits restricted",
                may_edit(&outside, restricted),
                false,
            ),
            (
                "member gives to own team",
                may_give_to_group(&in_team, team),
                true,
            ),
            (
                "non-member gives to team",
                may_give_to_group(&outside, team),
                false,
            ),
            (
                "non-member restricts",
                may_restrict_to(&outside, team),
                false,
            ),
            (
                "moderator restricts",
                may_restrict_to(&moderator, team),
                true,
            ),
        ];
        for (case, got, expected) in cases {
            assert_eq!(got, expected, "case: {case}");
        }
    }
}
