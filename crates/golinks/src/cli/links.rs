//! `golinks links import` and `golinks links export`.
//!
//! An import checks every link before it writes any: by default one invalid link refuses the
//! whole file (a migration should not half-happen by surprise); `--skip-invalid` imports the
//! rest and names each skipped line and why. Links whose name is taken are always skipped, so
//! running an import twice is harmless. A link whose team or visible-to group (named by
//! displayName) is not in the organization is invalid like any other: the link is never
//! imported without it.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use uuid::Uuid;

use super::LinksCommand;
use super::admin::open;
use crate::domain::{Email, UserId};
use crate::links::{ImportedOwners, LinkError, Links, WriteContext};
use crate::store::{LinkDraft, Org, Store, StoreError};
use crate::transfer::{self, ImportItem};

pub async fn run(command: LinksCommand) -> anyhow::Result<()> {
    match command {
        LinksCommand::Import {
            target,
            file,
            skip_invalid,
        } => {
            let (store, org) = open(&target).await?;
            import(&store, &org, &file, skip_invalid).await
        }
        LinksCommand::Export { target, output } => {
            let (store, org) = open(&target).await?;
            let json =
                serde_json::to_string_pretty(&transfer::export(store.all_links(org.id).await?))?;
            match output {
                Some(path) => std::fs::write(&path, json)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => println!("{json}"),
            }
            Ok(())
        }
    }
}

async fn import(store: &Store, org: &Org, file: &Path, skip_invalid: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let records =
        transfer::parse_each(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut progress = Progress::on_stderr(records.len());
    let links = Links::offline(store);
    // The same checks as the API's (`crate::links`), with the organization's host names as
    // the addresses a destination must not loop back to.
    let cx = WriteContext {
        org: org.id,
        actor: None,
        own_hosts: &org.hosts,
    };
    let mut owners = Owners::default();
    let mut drafts = Vec::with_capacity(records.len());
    let mut invalid = Vec::new();
    for (done, record) in records.into_iter().enumerate() {
        progress.show(done, "checked");
        match record {
            Ok(item) => match draft(&links, &cx, &mut owners, &item).await {
                Ok(draft) => drafts.push(draft),
                Err(why) => invalid.push(problem(&item.at, item.input.name.as_deref(), &why)),
            },
            Err(unreadable) => invalid.push(problem(&unreadable.at, None, &unreadable.why)),
        }
    }
    if !invalid.is_empty() && !skip_invalid {
        progress.finish();
        bail!(
            "nothing imported; {} invalid link(s) (fix them, or import the rest with \
             --skip-invalid):\n  {}",
            invalid.len(),
            invalid.join("\n  ")
        );
    }
    let writing = format!("writing {} link(s)…", drafts.len());
    let report = progress
        .during(&writing, links.import(&cx, &drafts))
        .await?;
    progress.finish();
    println!(
        "imported {} link(s), skipped {}",
        report.created,
        report.skipped.len() + invalid.len()
    );
    for why in invalid {
        println!("  skipped {why}");
    }
    for taken in report.skipped {
        println!("  skipped {taken}");
    }
    Ok(())
}

/// "line 17 (metrics): why" — where, which name, why.
fn problem(at: &str, name: Option<&str>, why: &str) -> String {
    match name {
        Some(name) => format!("{at} ({name}): {why}"),
        None => format!("{at}: {why}"),
    }
}

/// Owners by email and groups by displayName, each looked up once: an export of thousands
/// of links has few owners and fewer groups.
#[derive(Default)]
struct Owners {
    people: HashMap<String, Option<UserId>>,
    groups: HashMap<String, Option<Uuid>>,
}

impl Owners {
    async fn person(
        &mut self,
        store: &Store,
        cx: &WriteContext<'_>,
        email: &Email,
    ) -> Result<Option<UserId>, StoreError> {
        if let Some(known) = self.people.get(email.as_str()) {
            return Ok(*known);
        }
        let found = match store.find_user_by_email(cx.org, email).await {
            Ok(user) => Some(user.id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        self.people.insert(email.as_str().to_owned(), found);
        Ok(found)
    }

    /// The live group of that displayName (compared as the store compares it, ignoring case).
    async fn group(
        &mut self,
        store: &Store,
        cx: &WriteContext<'_>,
        name: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        if let Some(known) = self.groups.get(name) {
            return Ok(*known);
        }
        let found = match store.find_group_by_display_name(cx.org, name).await {
            Ok(group) => Some(group.id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        self.groups.insert(name.to_owned(), found);
        Ok(found)
    }
}

/// The file's owner and groups, found here. A group the file names that this organization
/// does not have makes the link invalid: importing it without its team or its restriction
/// would hand it to nobody, or show it to everyone.
async fn owners_of(
    links: &Links<'_>,
    cx: &WriteContext<'_>,
    owners: &mut Owners,
    item: &ImportItem,
) -> Result<ImportedOwners, String> {
    if item.owner.is_some() && item.owner_group.is_some() {
        return Err("owner_group: give the link a person or a team, not both".to_owned());
    }
    let owner = match item.owner.as_deref().and_then(|o| Email::try_from(o).ok()) {
        Some(email) => owners
            .person(links.store, cx, &email)
            .await
            .map_err(|e| e.to_string())?,
        None => None,
    };
    let mut missing = Vec::new();
    let mut found = [None, None];
    for (slot, (field, name)) in found.iter_mut().zip([
        ("owner_group", item.owner_group.as_deref()),
        ("visible_to_group", item.visible_to_group.as_deref()),
    ]) {
        let Some(name) = name else { continue };
        *slot = owners
            .group(links.store, cx, name)
            .await
            .map_err(|e| e.to_string())?;
        if slot.is_none() {
            missing.push(format!("{field}: no group {name:?} in this organization"));
        }
    }
    let [owner_group, visible_to] = found;
    if !missing.is_empty() {
        return Err(missing.join("; "));
    }
    Ok(ImportedOwners {
        owner,
        owner_group,
        visible_to,
    })
}

async fn draft(
    links: &Links<'_>,
    cx: &WriteContext<'_>,
    owners: &mut Owners,
    item: &ImportItem,
) -> Result<LinkDraft, String> {
    let owners = owners_of(links, cx, owners, item).await?;
    links
        .import_draft(cx, &item.input, owners)
        .map_err(|e| match e {
            LinkError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
}

/// One line on a terminal that says how far a long import is, redrawn in place. Nothing
/// when stderr is not a terminal (logs, pipes) or when the import takes under a second.
struct Progress {
    total: usize,
    on: bool,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    const QUIET_FOR: Duration = Duration::from_secs(1);
    const REDRAW: Duration = Duration::from_millis(100);

    fn on_stderr(total: usize) -> Self {
        Progress {
            total,
            on: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: None,
        }
    }

    fn due(&self, now: Instant) -> bool {
        self.on
            && now.duration_since(self.started) >= Self::QUIET_FOR
            && self
                .drawn
                .is_none_or(|at| now.duration_since(at) >= Self::REDRAW)
    }

    fn show(&mut self, done: usize, what: &str) {
        let now = Instant::now();
        if self.due(now) {
            self.drawn = Some(now);
            eprint!("\r\x1b[Kimport: {what} {done}/{}", self.total);
            let _ = std::io::stderr().flush();
        }
    }

    /// Awaits `work` (one database transaction), redrawing `line` with the seconds spent.
    async fn during<T>(&mut self, line: &str, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        let mut tick = tokio::time::interval(Self::REDRAW);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = tick.tick() => {
                    let now = Instant::now();
                    if self.due(now) {
                        self.drawn = Some(now);
                        let secs = now.duration_since(self.started).as_secs();
                        eprint!("\r\x1b[Kimport: {line} {secs} s");
                        let _ = std::io::stderr().flush();
                    }
                }
            }
        }
    }

    fn finish(&mut self) {
        if self.drawn.take().is_some() {
            eprintln!(
                "\r\x1b[Kimport: done in {:.1} s",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_waits_a_second_and_then_redraws_at_most_ten_times_a_second() {
        let started = Instant::now();
        let mut p = Progress {
            total: 10,
            on: true,
            started,
            drawn: None,
        };
        assert!(!p.due(started + Duration::from_millis(999)));
        assert!(p.due(started + Duration::from_secs(1)));
        p.drawn = Some(started + Duration::from_secs(1));
        assert!(!p.due(started + Duration::from_millis(1050)));
        assert!(p.due(started + Duration::from_millis(1100)));
        p.on = false;
        assert!(!p.due(started + Duration::from_secs(5)), "not a terminal");
    }
}
