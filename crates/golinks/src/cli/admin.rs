//! What the admin commands do.

use anyhow::{Context, bail};

use super::{ApiTokenCommand, Command, OrgTarget, ScimTokenCommand, SsoCommand, UserCommand};
use crate::domain::{Email, Secret, TokenKind};
use crate::store::{Org, Store, StoreError};

pub(super) async fn open(target: &OrgTarget) -> anyhow::Result<(Store, Org)> {
    let store = Store::open(&target.db.database_url).await?;
    let org = match store.find_org_by_slug(&target.org).await {
        Err(StoreError::NotFound) => {
            bail!("no organization {:?} (see golinks org list)", target.org)
        }
        other => other?,
    };
    Ok((store, org))
}

pub async fn run_admin(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(_) => unreachable_serve(),
        Command::ScimToken { command } => scim_token(command).await,
        Command::User {
            command:
                UserCommand::Create {
                    target,
                    email,
                    name,
                    role,
                },
        } => {
            let (store, org) = open(&target).await?;
            let email = Email::try_from(email.as_str())?;
            let user = store
                .create_user(org.id, &email, name.as_deref(), role)
                .await?;
            println!(
                "Created {} ({}) in {} as {}",
                user.user_name, user.id, org.slug, user.role
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::Deactivate { target, email },
        } => set_active(&target, &email, false).await,
        Command::User {
            command: UserCommand::Activate { target, email },
        } => set_active(&target, &email, true).await,
        Command::User {
            command: UserCommand::SignOut { target, email },
        } => {
            let (store, org) = open(&target).await?;
            let email = Email::try_from(email.as_str())?;
            let user = match store.find_user_by_email(org.id, &email).await {
                Err(StoreError::NotFound) => bail!("no person {email} in {}", org.slug),
                other => other?,
            };
            let ended = store.end_sessions(org.id, user.id).await?;
            println!("Ended {ended} session(s) of {email}");
            Ok(())
        }
        Command::Sso { command } => sso_command(command).await,
        Command::ApiToken {
            command:
                ApiTokenCommand::Create {
                    target,
                    email,
                    name,
                },
        } => {
            let (store, org) = open(&target).await?;
            let email = Email::try_from(email.as_str())?;
            let user = match store.find_user_by_email(org.id, &email).await {
                Err(StoreError::NotFound) => bail!("no person {email} in {}", org.slug),
                other => other?,
            };
            let secret = Secret::generate(TokenKind::Api);
            store
                .create_api_token(org.id, user.id, &name, &secret.digest())
                .await?;
            println!("API token {name:?} for {email}; it is shown only once:");
            println!("{}", secret.reveal());
            Ok(())
        }
        Command::Links { command } => super::links::run(command).await,
        Command::Backup(args) => super::backup::backup(&args).await,
        Command::Restore(args) => super::backup::restore(&args).await,
        Command::Org { command } => super::org::org_command(command).await,
        Command::LoginLink {
            target,
            email,
            minutes,
        } => login_link(&target, &email, minutes).await,
        Command::ScimLog {
            target,
            since,
            failed,
            limit,
        } => {
            let (store, org) = open(&target).await?;
            let since = since
                .as_deref()
                .map(crate::store::parse_since)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
            let query = crate::store::LogQuery {
                since,
                failed_only: failed,
                person: None,
                limit,
            };
            for e in store.provisioning_log(org.id, &query).await? {
                let at = crate::provisioning::representation::timestamp(e.at);
                let person = e.user_name.as_deref().unwrap_or("-");
                let token = e.token_name.as_deref().unwrap_or("-");
                let outcome = match (&e.scim_type, &e.detail) {
                    (Some(t), Some(d)) => format!("{t}: {d}"),
                    (None, Some(d)) => d.clone(),
                    _ => String::new(),
                };
                let summary = e.summary.as_deref().unwrap_or("-");
                println!(
                    "{at}\t{} {}\t{}\t{summary}\t{person}\ttoken={token}\t{}ms\t{outcome}",
                    e.method, e.path, e.status, e.duration_ms
                );
            }
            Ok(())
        }
    }
}

async fn login_link(target: &OrgTarget, email: &str, minutes: u16) -> anyhow::Result<()> {
    let (store, org) = open(target).await?;
    let email = Email::try_from(email)?;
    let user = match store.find_user_by_email(org.id, &email).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => {
            store
                .create_user(org.id, &email, None, crate::domain::Role::Admin)
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    if !user.active {
        bail!("{email} is inactive; activate them first (golinks user activate)");
    }
    let secret = Secret::generate(TokenKind::Login);
    let expires_at =
        time::OffsetDateTime::now_utc() + time::Duration::minutes(i64::from(minutes.max(1)));
    store
        .create_login_link(org.id, user.id, &secret.digest(), expires_at)
        .await?;
    // The link works only on a host name of its organization (the default one: any host no
    // organization holds).
    let hosts = if org.hosts.is_empty() {
        "this server".to_owned()
    } else {
        org.hosts.join(" or ")
    };
    println!(
        "One-time sign-in link for {email} ({}), valid for {} minutes; open it on {hosts}:",
        user.role,
        minutes.max(1)
    );
    println!("/_/login/{}", secret.reveal());
    Ok(())
}

async fn set_active(target: &OrgTarget, email: &str, active: bool) -> anyhow::Result<()> {
    let (store, org) = open(target).await?;
    let email = Email::try_from(email)?;
    let user = match store.find_user_by_email(org.id, &email).await {
        Err(StoreError::NotFound) => bail!("no person {email} in {}", org.slug),
        other => other?,
    };
    crate::provisioning::set_active(&store, org.id, user.id, active)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    println!(
        "{email} is now {}",
        if active { "active" } else { "inactive" }
    );
    Ok(())
}

fn unreachable_serve() -> anyhow::Result<()> {
    bail!("serve is handled by main")
}

async fn scim_token(command: ScimTokenCommand) -> anyhow::Result<()> {
    match command {
        ScimTokenCommand::Create { target, name } => {
            let (store, org) = open(&target).await?;
            let secret = Secret::generate(TokenKind::Scim);
            let token = store
                .create_scim_token(org.id, &name, &secret.digest())
                .await?;
            println!(
                "SCIM token {name:?} ({}) for {}; it is shown only once:",
                token.id, org.slug
            );
            println!("{}", secret.reveal());
        }
        ScimTokenCommand::List { target } => {
            let (store, org) = open(&target).await?;
            for t in store.list_scim_tokens(org.id).await? {
                println!("{}", serde_json::to_string(&t)?);
            }
        }
        ScimTokenCommand::Revoke { target, name_or_id } => {
            let (store, org) = open(&target).await?;
            match store.revoke_scim_tokens(org.id, &name_or_id).await {
                Ok(n) => println!("revoked {n} token(s)"),
                Err(StoreError::NotFound) => {
                    bail!("no unrevoked SCIM token {name_or_id:?} in {}", org.slug)
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

async fn sso_command(command: SsoCommand) -> anyhow::Result<()> {
    match command {
        SsoCommand::Configure {
            target,
            idp_metadata,
            jit,
            idp_initiated,
            email_attribute,
            base_url,
        } => {
            let (store, org) = open(&target).await?;
            let xml = std::fs::read_to_string(&idp_metadata)
                .with_context(|| format!("cannot read {}", idp_metadata.display()))?;
            let idp = crate::saml::parse_idp_metadata(&xml).with_context(|| {
                format!("{} is not usable IdP metadata", idp_metadata.display())
            })?;
            let base_url = base_url
                .map(|b| b.trim().trim_end_matches('/').to_owned())
                .filter(|b| !b.is_empty());
            if let Some(base) = &base_url {
                let parsed = url::Url::parse(base)
                    .with_context(|| format!("--base-url {base:?} is not a URL"))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.path() != "/" {
                    bail!("--base-url must be an http(s) origin such as https://go.acme.example");
                }
            }
            let current = store.sso_settings(org.id).await?;
            let keep = |pick: fn(&crate::saml::IdpSettings) -> bool, default: bool| {
                current.as_ref().map_or(default, pick)
            };
            let settings = crate::saml::IdpSettings {
                entity_id: idp.entity_id,
                sso_url: idp.sso_url,
                certificates: idp.certificates,
                sp_base_url: base_url.or_else(|| current.as_ref()?.sp_base_url.clone()),
                jit: jit.map_or_else(|| keep(|s| s.jit, true), |v| v.is_on()),
                idp_initiated: idp_initiated
                    .map_or_else(|| keep(|s| s.idp_initiated, true), |v| v.is_on()),
                email_attribute: match email_attribute {
                    Some(name) => Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
                    None => current.as_ref().and_then(|s| s.email_attribute.clone()),
                },
            };
            store.save_sso_settings(org.id, &settings).await?;
            println!(
                "Single sign-on for {} now trusts {}",
                org.slug, settings.entity_id
            );
            print_sso(&settings);
            Ok(())
        }
        SsoCommand::Show { target } => {
            let (store, org) = open(&target).await?;
            match store.sso_settings(org.id).await? {
                Some(settings) => print_sso(&settings),
                None => println!("Single sign-on is not set up for {}", org.slug),
            }
            Ok(())
        }
    }
}

fn print_sso(s: &crate::saml::IdpSettings) {
    println!("  IdP entity ID:     {}", s.entity_id);
    println!("  IdP sign-in URL:   {}", s.sso_url);
    for der in &s.certificates {
        match openssl::x509::X509::from_der(der) {
            Ok(cert) => {
                let subject: Vec<String> = cert
                    .subject_name()
                    .entries()
                    .filter_map(|e| e.data().to_string().ok())
                    .collect();
                println!(
                    "  IdP certificate:   {} (valid until {})",
                    subject.join(", "),
                    cert.not_after()
                );
            }
            Err(_) => println!("  IdP certificate:   (unreadable)"),
        }
    }
    match &s.sp_base_url {
        Some(base) => {
            let sp = crate::saml::ServiceProvider::at(base);
            println!("  SP entity ID:      {}", sp.entity_id);
            println!("  ACS URL:           {}", sp.acs_url);
        }
        None => println!(
            "  SP entity ID:      https://<host>/saml/metadata (each request's host; set --base-url to fix it)"
        ),
    }
    let on = |b: bool| if b { "on" } else { "off" };
    println!("  just-in-time:      {}", on(s.jit));
    println!("  IdP-initiated:     {}", on(s.idp_initiated));
    println!(
        "  email from:        {}",
        s.email_attribute.as_deref().unwrap_or("NameID")
    );
}
