//! Roles and link visibility: closed sets stored as short strings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "{s:?} is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What a person may do; see `policy.rs` for the permission table.
    Role { Admin => "admin", Moderator => "moderator", Member => "member" }
);

string_enum!(
    /// Who can find and follow a link.
    /// - `company`: every member follows it and finds it in search (the default);
    /// - `unlisted`: every member follows it, search shows it to its owner only;
    /// - `private`: only its owner, at `/my/<name>`; a name of its own per owner;
    /// - `public`: like `company`, and followed without signing in.
    Visibility { Company => "company", Unlisted => "unlisted", Private => "private", Public => "public" }
);

impl Role {
    /// Higher is more: a person's effective role is the higher of the role set by hand and
    /// the role their groups give (`store::group_roles`).
    pub fn rank(self) -> u8 {
        match self {
            Role::Member => 0,
            Role::Moderator => 1,
            Role::Admin => 2,
        }
    }
}
