//! What the store returns. Rows are mapped once, here, into these types.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{LinkId, OrgId, Role, TokenId, UserId, Visibility};

#[derive(Debug, Clone)]
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub is_default: bool,
    pub anonymous_resolution: bool,
    pub change_seq: i64,
    pub hosts: Vec<String>,
    /// The canonical base URL set for this organization (`golinks org set --base-url`).
    pub base_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub user_name: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Role,
    pub active: bool,
    pub deleted: bool,
}

/// The owner of a link as shown with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Owner {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub email: String,
    pub display_name: Option<String>,
    /// False when the owner was deactivated; the link keeps working for everyone.
    pub active: bool,
    /// True when the owner was deleted; an admin can hand the link to someone else.
    pub deleted: bool,
}

/// The team owning a link as shown with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnerGroup {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    pub display_name: String,
    /// False when no active person is left in the team (or the group was deleted): the link
    /// keeps working and is flagged, as a deactivated person's links are.
    pub active: bool,
}

/// A group a link is restricted to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub id: LinkId,
    pub name: String,
    pub url: String,
    pub description: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub visibility: Visibility,
    pub owner: Option<Owner>,
    /// The owning team, when a group owns the link (then `owner` is none).
    pub owner_group: Option<OwnerGroup>,
    /// Only this group's members may follow the link.
    pub visible_to: Option<GroupRef>,
    pub clicks_total: i64,
    pub last_clicked_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One name of a link, as the in-memory redirect index needs it.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub link_id: LinkId,
    /// The nil id for shared links, the owner's id for private ones.
    pub namespace: Uuid,
    pub name_key: String,
    pub name: String,
    pub url: String,
    pub visibility: Visibility,
    /// Only this group's members may follow the link.
    pub visible_to: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Who presents an API token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub org: OrgId,
    pub token: TokenId,
    pub user: UserId,
    pub role: Role,
    /// The person's live groups (see `policy::Actor::groups`).
    pub groups: std::sync::Arc<[Uuid]>,
    pub last_used_at: Option<OffsetDateTime>,
}

/// The namespace of shared links; private links use their owner's id.
pub const SHARED_NAMESPACE: Uuid = Uuid::nil();

pub(crate) fn parse_enum<T: std::str::FromStr<Err = String>>(raw: &str) -> Result<T, sqlx::Error> {
    raw.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}
