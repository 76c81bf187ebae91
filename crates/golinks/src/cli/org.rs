//! `golinks org`: organizations and the host names that reach them. Host names are set only
//! here, by the operator on the server's machine, never through the web or the API.

use anyhow::bail;

use super::admin::open;
use super::{OnOff, OrgCommand, OrgTarget};
use crate::domain::{BaseUrl, HostName};
use crate::store::{Org, RoleGroups, Store, StoreError};

pub(super) async fn org_command(command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Create {
            db,
            slug,
            name,
            hosts,
        } => {
            let hosts = host_names(&hosts)?;
            let store = Store::open(&db.database_url).await?;
            let hosts: Vec<String> = hosts.iter().map(ToString::to_string).collect();
            let id = store.create_org(&slug, &name, &hosts).await?;
            println!("Created organization {slug} ({id})");
        }
        OrgCommand::Set {
            target,
            anonymous_resolution,
            hosts,
            add_hosts,
            remove_hosts,
            base_url,
            admin_group,
            moderator_group,
        } => {
            let roles = RoleGroupNames {
                admin: admin_group,
                moderator: moderator_group,
            };
            let change = HostChange {
                replace: host_names(&hosts)?,
                add: host_names(&add_hosts)?,
                remove: host_names(&remove_hosts)?,
            };
            // Checked before anything is written: a refused URL changes nothing.
            let base_url = match base_url.as_deref().map(str::trim) {
                None => None,
                Some("") => Some(None),
                Some(raw) => Some(Some(BaseUrl::try_from(raw)?)),
            };
            set_org(&target, anonymous_resolution, change, base_url, roles).await?;
        }
        OrgCommand::List { db } => {
            let store = Store::open(&db.database_url).await?;
            for org in store.list_orgs().await? {
                let default = if org.is_default { " (default)" } else { "" };
                println!(
                    "{}{default}\t{}\t{}\t{}",
                    org.slug,
                    org.name,
                    org.hosts.join(","),
                    org.base_url.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(())
}

async fn set_org(
    target: &OrgTarget,
    anonymous_resolution: Option<OnOff>,
    change: HostChange,
    base_url: Option<Option<BaseUrl>>,
    roles: RoleGroupNames,
) -> anyhow::Result<()> {
    let (store, org) = open(target).await?;
    // Group names are checked before anything is written, like host names.
    let role_groups = roles.resolve(&store, &org).await?;
    // Host names first: a refused one (taken, not there) leaves every setting as it was.
    if !change.is_empty() {
        let hosts = change.apply(&org)?;
        store.set_org_hosts(org.id, &hosts).await?;
        let list: Vec<&str> = hosts.iter().map(HostName::as_str).collect();
        println!("{}: host names {}", org.slug, list.join(", "));
    }
    if let Some(on) = anonymous_resolution {
        store.set_anonymous_resolution(org.id, on.is_on()).await?;
        let how = if on.is_on() {
            "resolve without"
        } else {
            "need"
        };
        println!("{}: company links {how} sign-in", org.slug);
    }
    if let Some(url) = base_url {
        store.set_org_base_url(org.id, url.as_ref()).await?;
        match url {
            Some(url) => println!("{}: base URL {url}", org.slug),
            None => println!("{}: no base URL of its own", org.slug),
        }
    }
    if let Some(groups) = role_groups {
        store.set_role_groups(org.id, groups).await?;
        println!("{}: roles from groups set", org.slug);
    }
    Ok(())
}

/// `--admin-group` and `--moderator-group` as given: a displayName, "" for none, or not given.
struct RoleGroupNames {
    admin: Option<String>,
    moderator: Option<String>,
}

impl RoleGroupNames {
    /// The mapping to write (`None`: neither option given), the other role's group kept.
    async fn resolve(&self, store: &Store, org: &Org) -> anyhow::Result<Option<RoleGroups>> {
        if self.admin.is_none() && self.moderator.is_none() {
            return Ok(None);
        }
        let mut groups = store.role_groups(org.id).await?;
        for (name, slot) in [
            (&self.admin, &mut groups.admin),
            (&self.moderator, &mut groups.moderator),
        ] {
            match name.as_deref().map(str::trim) {
                None => {}
                Some("") => *slot = None,
                Some(name) => match store.group_by_name(org.id, name).await {
                    Ok(group) => *slot = Some(group.id),
                    Err(StoreError::NotFound) => {
                        bail!(
                            "{} has no group named {name:?} (groups come from SCIM)",
                            org.slug
                        )
                    }
                    Err(e) => return Err(e.into()),
                },
            }
        }
        Ok(Some(groups))
    }
}

fn host_names(raw: &[String]) -> anyhow::Result<Vec<HostName>> {
    Ok(raw
        .iter()
        .map(|h| HostName::try_from(h.as_str()))
        .collect::<Result<_, _>>()?)
}

/// `--host` (the whole list) or `--add-host`/`--remove-host` (changes to it); clap refuses
/// both at once.
struct HostChange {
    replace: Vec<HostName>,
    add: Vec<HostName>,
    remove: Vec<HostName>,
}

impl HostChange {
    fn is_empty(&self) -> bool {
        self.replace.is_empty() && self.add.is_empty() && self.remove.is_empty()
    }

    /// The organization's new list, each host once, in the order given.
    fn apply(self, org: &Org) -> anyhow::Result<Vec<HostName>> {
        let mut hosts: Vec<HostName> = if self.replace.is_empty() {
            org.hosts
                .iter()
                .filter_map(|h| HostName::try_from(h.as_str()).ok())
                .collect()
        } else {
            self.replace
        };
        for host in self.remove {
            let Some(i) = hosts.iter().position(|h| *h == host) else {
                bail!("{} has no host name {host}", org.slug);
            };
            hosts.remove(i);
        }
        hosts.extend(self.add);
        let mut unique = Vec::with_capacity(hosts.len());
        for host in hosts {
            if !unique.contains(&host) {
                unique.push(host);
            }
        }
        Ok(unique)
    }
}
