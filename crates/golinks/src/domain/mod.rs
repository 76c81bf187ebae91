//! Domain types, validated when they are built and trusted afterwards.

mod base_url;
mod destination;
mod email;
mod host_name;
mod ids;
mod link_name;
mod reserved;
mod role;
pub mod token;

pub use base_url::{BaseUrl, BaseUrlError};
pub use destination::{Destination, DestinationError, PLACEHOLDERS};
pub use email::{Email, EmailError};
pub use host_name::{HostName, HostNameError};
pub use ids::{LinkId, OrgId, TokenId, UserId};
pub use link_name::{LinkName, LinkNameError};
pub use reserved::{RESERVED, is_reserved};
pub use role::{Role, Visibility};
pub use token::{Secret, TokenKind};
