//! golinks: self-hosted go links for organizations.

pub mod app;
pub mod change_feed;
pub mod cli;
pub mod clicks;
pub mod config;
pub mod domain;
pub mod http;
pub mod index;
pub mod links;
pub mod logging;
pub mod metrics;
pub mod policy;
pub mod provisioning;
pub mod resolve;
pub mod saml;
pub mod server;
pub mod sessions;
pub mod store;
pub mod suggest;
pub mod transfer;
