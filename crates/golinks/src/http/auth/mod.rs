//! Who is asking, for which organization, and whether to listen: every rule that decides
//! that lives in this module, so that a new handler states what it needs by taking an
//! extractor and cannot forget a check.
//!
//! - [`HostOrg`]: the organization serving the request's host name.
//! - [`SignedIn`] / [`Visitor`] (session cookie), [`Member`] and [`Admin`] (web pages),
//!   [`ApiActor`] (API token or session), [`ScimClient`] (SCIM token).
//! - [`origin`]: where a request comes from: the request origin, the same-origin (CSRF) rule
//!   and [`SameOrigin`], local paths to return to after sign-in.
//! - [`client`]: the client's address, and whether its `X-Forwarded-*` headers are believed
//!   (`--trusted-proxies`).
//! - [`limit`]: rate limits and their one 429 answer; [`sign_in_limit`]: the per-address
//!   limit on sign-in attempts; [`bearer`]: the one `Authorization: Bearer` parser, the
//!   per-address limit on failed bearer authentication.

mod api;
pub mod bearer;
pub mod client;
mod host;
pub mod limit;
mod member;
pub mod origin;
mod scim;
pub mod scim_tokens;
pub mod session;
pub mod sign_in_limit;

pub use api::ApiActor;
pub use client::Client;
pub use host::HostOrg;
pub use limit::BearerFailures;
pub use member::{Admin, Member, sign_in_first};
pub use origin::SameOrigin;
pub use scim::{ScimClient, ScimLimiter};
pub use scim_tokens::ScimTokenCache;
pub use session::{SignedIn, Visitor};
pub use sign_in_limit::{SignInAttempt, SignInLimiter};
