//! Who is asking, for which organization, and whether to listen: every rule that decides
//! that lives in this module, so that a new handler states what it needs by taking an
//! extractor and cannot forget a check.
//!
//! - [`HostOrg`]: the organization serving the request's host name.
//! - [`SignedIn`] / [`Visitor`] (session cookie), [`Member`] and [`Admin`] (web pages),
//!   [`ApiActor`] (API token or session), [`ScimClient`] (SCIM token).
//! - [`origin`]: where a request comes from: the request origin, the same-origin (CSRF) rule
//!   and [`SameOrigin`], local paths to return to after sign-in.
//! - [`sign_in_limit`]: the per-address limit on sign-in attempts.

mod api;
mod host;
mod member;
pub mod origin;
mod scim;
pub mod session;
pub mod sign_in_limit;

pub use api::ApiActor;
pub use host::HostOrg;
pub use member::{Admin, Member, sign_in_first};
pub use origin::SameOrigin;
pub use scim::{ScimClient, ScimLimiter};
pub use session::{SignedIn, Visitor};
pub use sign_in_limit::{SignInAttempt, SignInLimiter};
