//! The command line: `golinks serve` and the admin commands. Doc comments are the `--help`.

mod admin;
mod backup;
mod links;
mod org;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use admin::run_admin;

use crate::config::{DEFAULT_DATABASE_URL, ServeArgs};
use crate::domain::Role;

#[derive(Debug, Parser)]
#[command(
    name = "golinks",
    version,
    about = "Self-hosted go links for organizations"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve redirects, the web UI, the JSON API and SCIM on one address.
    Serve(ServeArgs),
    /// Tokens for an identity provider's SCIM client (Okta, Entra ID).
    ScimToken {
        #[command(subcommand)]
        command: ScimTokenCommand,
    },
    /// People of an organization.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Personal tokens for the JSON API.
    ApiToken {
        #[command(subcommand)]
        command: ApiTokenCommand,
    },
    /// Import and export links.
    Links {
        #[command(subcommand)]
        command: LinksCommand,
    },
    /// Print a one-time sign-in link path, alone on the last line: the way in before SSO is
    /// configured. A person who does not exist yet is created, as an admin.
    LoginLink {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
        /// Minutes the link stays valid.
        #[arg(long, default_value_t = 15)]
        minutes: u16,
    },
    /// The SCIM provisioning log, newest first: every change and every failure.
    ScimLog {
        #[command(flatten)]
        target: OrgTarget,
        /// Only entries at or after this time: RFC 3339 (2026-01-31T09:00:00Z) or an age
        /// such as 30m, 12h, 7d.
        #[arg(long)]
        since: Option<String>,
        /// Only failed requests.
        #[arg(long)]
        failed: bool,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// SAML single sign-on with an identity provider (Okta, Entra ID).
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// Organizations (tenants) of this deployment.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Copy a SQLite database to a file while the server keeps running (a consistent
    /// snapshot). For PostgreSQL use pg_dump (see docs/deploy.md).
    Backup(BackupArgs),
    /// Put a backup made by `golinks backup` in place of a SQLite database. Stop the server
    /// first.
    Restore(RestoreArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: Database,
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub db: Database,
    /// A file written by `golinks backup`.
    #[arg(long)]
    pub input: PathBuf,
    /// Replace a database that already exists (its data is lost).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct Database {
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "GOLINKS_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct OrgTarget {
    #[command(flatten)]
    pub db: Database,
    /// The organization's slug.
    #[arg(long, default_value = "default")]
    pub org: String,
}

#[derive(Debug, Subcommand)]
pub enum ScimTokenCommand {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        #[command(flatten)]
        target: OrgTarget,
        /// A name that says where the token is used, e.g. "okta".
        #[arg(long)]
        name: String,
    },
    /// List tokens with their last use.
    List {
        #[command(flatten)]
        target: OrgTarget,
    },
    /// Revoke the tokens of that name (or that id).
    Revoke {
        #[command(flatten)]
        target: OrgTarget,
        name_or_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person (identity providers add people over SCIM).
    Create {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "member")]
        role: Role,
    },
    /// Deactivate a person: their tokens stop working, their links keep working.
    Deactivate {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
    },
    /// Activate a deactivated person again.
    Activate {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
    },
    /// End every session of a person, on every server at once.
    SignOut {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
    },
}

/// A setting's value on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

impl OnOff {
    pub fn is_on(self) -> bool {
        self == OnOff::On
    }
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Trust an identity provider, from its SAML metadata XML. Settings not given keep their
    /// current value (first time: JIT on, IdP-initiated on, email from the NameID).
    Configure {
        #[command(flatten)]
        target: OrgTarget,
        /// The identity provider's metadata (Okta: "Identity Provider metadata"; Entra ID:
        /// "Federation Metadata XML").
        #[arg(long)]
        idp_metadata: PathBuf,
        /// Create people who sign in without an account yet.
        #[arg(long)]
        jit: Option<OnOff>,
        /// Accept sign-in started at the identity provider (its app tile).
        #[arg(long)]
        idp_initiated: Option<OnOff>,
        /// The assertion attribute holding the email; "" for the NameID.
        #[arg(long)]
        email_attribute: Option<String>,
        /// Where people reach golinks, e.g. https://go.acme.example; it fixes the SP entity ID
        /// and ACS URL. "" to follow each request's own host.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Show the organization's single sign-on settings.
    Show {
        #[command(flatten)]
        target: OrgTarget,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiTokenCommand {
    /// Create an API token for a person; it is printed once, alone on the last line.
    Create {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LinksCommand {
    /// Import links from our JSON export or tailscale/golink's JSONL export. Nothing is
    /// imported if any link is invalid (unless --skip-invalid); links whose name is taken are
    /// skipped.
    Import {
        #[command(flatten)]
        target: OrgTarget,
        file: PathBuf,
        /// Import the valid links and list each invalid one (line, name, why) instead of
        /// refusing the file.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Export every link as JSON (to stdout, or --output FILE).
    Export {
        #[command(flatten)]
        target: OrgTarget,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization reached by the given host names.
    Create {
        #[command(flatten)]
        db: Database,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// A host name (repeatable), e.g. --host go.acme.example. A host name belongs to one
        /// organization.
        #[arg(long = "host")]
        hosts: Vec<String>,
    },
    /// List organizations and their host names.
    List {
        #[command(flatten)]
        db: Database,
    },
    /// Change an organization's settings. Host names are set only here, on the server's
    /// machine: whoever holds a host name gets everyone's links and sign-in on it.
    Set {
        #[command(flatten)]
        target: OrgTarget,
        /// Follow company links without signing in, for networks that are trusted as a whole.
        #[arg(long)]
        anonymous_resolution: Option<OnOff>,
        /// The organization's host names, replacing its list (repeatable): --host go --host
        /// go.acme.example. The default organization may hold some too; it also serves
        /// every host no organization holds.
        #[arg(long = "host", conflicts_with_all = ["add_hosts", "remove_hosts"])]
        hosts: Vec<String>,
        /// A host name to add to the list (repeatable).
        #[arg(long = "add-host")]
        add_hosts: Vec<String>,
        /// A host name to take off the list (repeatable).
        #[arg(long = "remove-host")]
        remove_hosts: Vec<String>,
        /// The canonical base URL (https://go.acme.example), where people sign in: requests
        /// on the organization's other host names (`go`) are redirected there. "" clears it
        /// (the default organization then uses the server's --base-url).
        #[arg(long)]
        base_url: Option<String>,
        /// The group (its displayName) whose members are admins; "" names none.
        #[arg(long)]
        admin_group: Option<String>,
        /// The group (its displayName) whose members are at least moderators; "" names none.
        #[arg(long)]
        moderator_group: Option<String>,
    },
}
