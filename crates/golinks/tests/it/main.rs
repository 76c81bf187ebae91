//! One integration test binary: the real server on a random loopback port, on SQLite and on
//! PostgreSQL (`GOLINKS_TEST_POSTGRES_URL`). A module per area.

mod support;

mod alias_hosts;
mod api_links;
mod backup;
mod change_feed;
mod cli;
mod deploy;
mod group_roles;
mod health;
mod import;
mod logs;
mod metrics;
mod orgs;
mod provisioning_log;
mod redirect;
mod replicas;
mod router_walk;
mod saml;
mod scim_count;
mod scim_discovery;
mod scim_entra;
mod scim_groups;
mod scim_groups_entra;
mod scim_groups_okta;
mod scim_lifecycle;
mod scim_lists;
mod scim_okta;
mod scim_pushdown;
mod scim_users;
mod security_auth;
mod security_web;
mod sessions;
mod store;
mod store_times;
mod team_links;
mod team_transfer;
mod web_pages;
