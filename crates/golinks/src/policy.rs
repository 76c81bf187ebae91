//! Who may do what: the one place for authorization rules. Handlers ask here.
//!
//! | action                         | member        | moderator | admin |
//! |--------------------------------|---------------|-----------|-------|
//! | follow / see a company link    | yes           | yes       | yes   |
//! | see or follow a private link   | owner only    | owner only| owner only |
//! | create a link                  | yes           | yes       | yes   |
//! | edit / delete a link           | owner, or unowned | any   | any   |
//! | give a link another owner      | no            | yes       | yes   |
//! | manage people, tokens, SSO     | no            | no        | yes   |

use crate::domain::{Role, UserId, Visibility};

/// The signed-in person (or API token holder) a request acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
}

/// What a rule needs to know about a link.
#[derive(Debug, Clone, Copy)]
pub struct LinkFacts {
    pub owner: Option<UserId>,
    pub visibility: Visibility,
}

pub fn may_view(actor: &Actor, link: LinkFacts) -> bool {
    link.visibility != Visibility::Private || link.owner == Some(actor.user)
}

pub fn may_edit(actor: &Actor, link: LinkFacts) -> bool {
    if link.visibility == Visibility::Private {
        return link.owner == Some(actor.user);
    }
    matches!(actor.role, Role::Admin | Role::Moderator)
        || link.owner.is_none_or(|o| o == actor.user)
}

pub fn may_change_owner(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Moderator)
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
        };
        let moderator = Actor {
            user: other,
            role: Role::Moderator,
        };
        let admin = Actor {
            user: other,
            role: Role::Admin,
        };
        let owners = Actor {
            user: owner,
            role: Role::Member,
        };
        let company = LinkFacts {
            owner: Some(owner),
            visibility: Visibility::Company,
        };
        let unowned = LinkFacts {
            owner: None,
            visibility: Visibility::Company,
        };
        let private = LinkFacts {
            owner: Some(owner),
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
            ("member changes owner", may_change_owner(&member), false),
            (
                "moderator changes owner",
                may_change_owner(&moderator),
                true,
            ),
            ("moderator administers", may_administer(&moderator), false),
            ("admin administers", may_administer(&admin), true),
        ];
        for (case, got, expected) in cases {
            assert_eq!(got, expected, "case: {case}");
        }
    }
}
