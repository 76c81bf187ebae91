//! The in-memory redirect index: per organization, every link name → its target, plus the
//! host-name → organization map. A redirect reads only this, never the database.
//!
//! It follows the organizations' change sequences (see `store::orgs`): this process applies
//! its own writes at once ([`Index::apply_write`] after each write), and [`Index::sync`]
//! reloads whatever another process (a replica, the CLI) changed — at once when PostgreSQL's
//! change feed tells of it (`crate::change_feed`), else at the next poll (about every second).

pub mod id_hash;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use axum::http::HeaderValue;
use uuid::Uuid;

use crate::domain::{BaseUrl, OrgId, PLACEHOLDERS, Visibility};
use crate::metrics::AppliedAt;
use crate::store::{LinkTarget, Org, OrgSeq, SHARED_NAMESPACE, Store, StoreResult};
use crate::suggest::Suggester;
use id_hash::IdMap;

#[derive(Debug)]
pub struct Target {
    pub link_id: crate::domain::LinkId,
    pub owner_namespace: Uuid,
    pub name: String,
    pub url: String,
    /// `Location` for `go/<name>` alone: the destination as it is, ready to send, when it
    /// has no placeholders (a plain hit then copies nothing).
    pub location: Option<HeaderValue>,
    pub visibility: Visibility,
    /// Only this group's members may follow the link (`policy::may_follow`).
    pub visible_to: Option<Uuid>,
}

/// One organization's names.
#[derive(Debug, Default)]
pub struct OrgLinks {
    /// The organization's change sequence this process has caught up with: cached sessions
    /// of the organization are trusted while it stands still.
    pub seq: i64,
    /// The organization's count of session-only moves at `seq` (`store::orgs::OrgSeq`).
    session_bumps: i64,
    shared: HashMap<String, Arc<Target>>,
    private: HashMap<Uuid, HashMap<String, Arc<Target>>>,
    /// The shared names' suggestion index, for the missing-link page.
    suggester: Suggester,
}

impl OrgLinks {
    fn build(at: OrgSeq, targets: Vec<LinkTarget>) -> Self {
        let mut links = OrgLinks {
            seq: at.seq,
            session_bumps: at.session_bumps,
            ..Default::default()
        };
        for t in targets {
            let plain = !PLACEHOLDERS.iter().any(|p| t.url.contains(p));
            let target = Arc::new(Target {
                link_id: t.link_id,
                owner_namespace: t.namespace,
                name: t.name,
                location: plain.then(|| HeaderValue::from_str(&t.url).ok()).flatten(),
                url: t.url,
                visibility: t.visibility,
                visible_to: t.visible_to,
            });
            if t.namespace == SHARED_NAMESPACE {
                links.shared.insert(t.name_key, target);
            } else {
                links
                    .private
                    .entry(t.namespace)
                    .or_default()
                    .insert(t.name_key, target);
            }
        }
        links.suggester = Suggester::build(
            links
                .shared
                .iter()
                // A link restricted to a group is never suggested: to anyone else the
                // missing-link page must look as if it did not exist.
                .filter(|(_, t)| t.visible_to.is_none())
                .map(|(k, t)| (k.as_str(), t.name.as_str())),
        );
        links
    }

    pub fn shared(&self, key: &str) -> Option<&Arc<Target>> {
        self.shared.get(key)
    }

    pub fn private(&self, owner: Uuid, key: &str) -> Option<&Arc<Target>> {
        self.private.get(&owner)?.get(key)
    }

    /// Up to `max` shared names nearest to `typed`, best first (see [`crate::suggest`]).
    pub fn nearest(&self, typed: &str, max: usize) -> Vec<String> {
        self.suggester.nearest(typed, max)
    }

    pub fn len(&self) -> usize {
        self.shared.len() + self.private.values().map(HashMap::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every change from here to `now` was a session-only one (a membership, a role
    /// from a group): the names held here are still the organization's.
    fn only_sessions_changed_until(&self, now: OrgSeq) -> bool {
        now.seq >= self.seq && now.seq - self.seq == now.session_bumps - self.session_bumps
    }
}

/// Which organization a request is for, by its host name.
#[derive(Debug, Default)]
pub struct Hosts {
    by_host: HashMap<String, OrgId>,
    default: Option<OrgId>,
    orgs: IdMap<OrgId, Org>,
    /// Each organization's canonical base URL, prepared here so that a redirect compares its
    /// `Host` with it and allocates nothing (`http::canonical`).
    canonical: IdMap<OrgId, BaseUrl>,
}

impl Hosts {
    /// The organization claiming `host` (a Host header, port allowed), else the default one.
    pub fn org_for(&self, host: Option<&str>) -> Option<&Org> {
        // `go.acme.example.` (fully qualified, trailing dot) is the same host.
        let claimed = host.and_then(|h| {
            let name = strip_port(h).trim_end_matches('.').to_ascii_lowercase();
            self.by_host.get(name.as_str())
        });
        self.orgs.get(claimed.or(self.default.as_ref())?)
    }

    pub fn org_by_id(&self, id: OrgId) -> Option<&Org> {
        self.orgs.get(&id)
    }

    /// The organization's canonical base URL: its own (`golinks org set --base-url`), else
    /// the server's `--base-url` for the default organization; none for plain local use.
    pub fn canonical(&self, id: OrgId) -> Option<&BaseUrl> {
        self.canonical.get(&id)
    }
}

/// `go.example:8080` → `go.example`; `[::1]:80` → `[::1]`.
pub fn strip_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    }
}

#[derive(Default)]
pub struct Index {
    links: RwLock<IdMap<OrgId, OrgLinks>>,
    hosts: RwLock<Arc<Hosts>>,
    /// The server's `--base-url`: the default organization's canonical URL unless it has
    /// its own.
    server_base: Option<BaseUrl>,
    /// When the change sequences were last applied (`golinks_change_feed_last_applied_age_seconds`).
    pub applied: AppliedAt,
    /// Held while reloading, so that a write, the change feed's notification of that same
    /// write and the poll reload once between them: whoever comes second finds the sequence
    /// reached and skips (a burst of writes then costs a few reloads, not one each).
    reloading: tokio::sync::Mutex<()>,
}

impl Index {
    pub async fn load(store: &Store, server_base: Option<BaseUrl>) -> StoreResult<Self> {
        let index = Index {
            server_base,
            ..Index::default()
        };
        index.sync(store).await?;
        Ok(index)
    }

    pub fn hosts(&self) -> Arc<Hosts> {
        Arc::clone(&self.hosts.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Read access to every organization's names; hold it only for a lookup.
    pub fn links(&self) -> RwLockReadGuard<'_, IdMap<OrgId, OrgLinks>> {
        self.links.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the index holds `org`'s names as of change `seq` or later.
    pub fn has_seen(&self, org: OrgId, seq: i64) -> bool {
        self.links().get(&org).is_some_and(|l| l.seq >= seq)
    }

    /// Reloads the organizations whose change sequence moved, and the host map when any did;
    /// an organization whose moves since were all session-only ones (memberships, roles from
    /// groups) keeps its names and only takes the new sequence, which is what its cached
    /// sessions compare. True when anything was reloaded or taken.
    pub async fn sync(&self, store: &Store) -> StoreResult<bool> {
        let _reloading = self.reloading.lock().await;
        let seqs = store.org_seqs().await?;
        let (mut stale, mut advanced) = (Vec::<OrgId>::new(), false);
        {
            let mut links = self.links.write().unwrap_or_else(|e| e.into_inner());
            for now in &seqs {
                match links.get_mut(&now.org) {
                    Some(l) if l.seq == now.seq => {}
                    Some(l) if l.only_sessions_changed_until(*now) => {
                        l.seq = now.seq;
                        l.session_bumps = now.session_bumps;
                        advanced = true;
                    }
                    _ => stale.push(now.org),
                }
            }
        }
        let orgs_changed = seqs.len() != self.hosts().orgs.len();
        if stale.is_empty() && !orgs_changed {
            // Every sequence read is the one applied: the index is current as of now.
            self.applied.mark();
            return Ok(advanced);
        }
        if stale.is_empty() {
            // Only the set of organizations changed; `reload` reloads them otherwise.
            self.reload_hosts(store).await?;
            self.applied.mark();
        }
        let caught_up = stale.len();
        for org in stale {
            self.reload(store, org).await?;
        }
        crate::metrics::replica_caught_up(caught_up);
        Ok(true)
    }

    /// Makes this process's own write, which moved `org`'s sequence to `seq`, visible here;
    /// nothing to do when a reload since (the change feed's, another write's) covered it.
    pub async fn apply_write(&self, store: &Store, org: OrgId, seq: i64) -> StoreResult<()> {
        let _reloading = self.reloading.lock().await;
        if self.has_seen(org, seq) {
            return Ok(());
        }
        self.reload(store, org).await
    }

    /// Makes this process's own session-only write (a membership change), which left its
    /// organization at `at`, count here: when every move since this index last caught up was
    /// a session-only one, it takes the sequence without a read (its cached sessions of the
    /// organization then re-read theirs); else it syncs.
    pub async fn apply_session_write(&self, store: &Store, at: OrgSeq) -> StoreResult<()> {
        {
            let _reloading = self.reloading.lock().await;
            let mut links = self.links.write().unwrap_or_else(|e| e.into_inner());
            match links.get_mut(&at.org) {
                Some(l) if l.seq >= at.seq => return Ok(()),
                Some(l) if l.only_sessions_changed_until(at) => {
                    l.seq = at.seq;
                    l.session_bumps = at.session_bumps;
                    return Ok(());
                }
                _ => {}
            }
        }
        self.sync(store).await.map(|_| ())
    }

    /// Rebuilds one organization's names, and the organizations' settings, from the store;
    /// `reloading` is held.
    async fn reload(&self, store: &Store, org: OrgId) -> StoreResult<()> {
        // Read the sequence before anything else: a write landing in between makes the next
        // sync reload again rather than be missed. The sequence may include another process's
        // change to the organization itself (hosts, anonymous resolution), so the
        // organizations are reloaded too: adopting the sequence without them would hide that
        // change from `sync` for good.
        let at = store
            .org_seqs()
            .await?
            .into_iter()
            .find(|s| s.org == org)
            .unwrap_or(OrgSeq {
                org,
                seq: 0,
                session_bumps: 0,
            });
        self.reload_hosts(store).await?;
        let built = OrgLinks::build(at, store.link_targets(org).await?);
        self.links
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(org, built);
        self.applied.mark();
        Ok(())
    }

    async fn reload_hosts(&self, store: &Store) -> StoreResult<()> {
        let mut hosts = Hosts::default();
        for org in store.list_orgs().await? {
            for host in &org.hosts {
                hosts.by_host.insert(host.clone(), org.id);
            }
            if org.is_default {
                hosts.default = Some(org.id);
            }
            // Stored values were checked when set; one that no longer parses is ignored
            // rather than breaking every request.
            let own = org
                .base_url
                .as_deref()
                .and_then(|u| BaseUrl::try_from(u).ok());
            let server = self.server_base.clone().filter(|_| org.is_default);
            if let Some(url) = own.or(server) {
                hosts.canonical.insert(org.id, url);
            }
            hosts.orgs.insert(org.id, org);
        }
        *self.hosts.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(hosts);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_found_whatever_its_case_port_or_trailing_dot() {
        let org = Org {
            id: OrgId::new(),
            slug: "acme".into(),
            name: "Acme".into(),
            is_default: false,
            anonymous_resolution: false,
            change_seq: 0,
            hosts: vec!["go.acme.example".into()],
            base_url: None,
        };
        let mut hosts = Hosts::default();
        hosts.by_host.insert("go.acme.example".into(), org.id);
        hosts.orgs.insert(org.id, org.clone());
        for header in [
            "go.acme.example",
            "GO.Acme.Example:8080",
            "go.acme.example.",
            "go.acme.example.:443",
        ] {
            assert_eq!(
                hosts.org_for(Some(header)).map(|o| o.id),
                Some(org.id),
                "{header}"
            );
        }
        assert!(
            hosts.org_for(Some("other.example")).is_none(),
            "no default organization here"
        );
    }

    #[test]
    fn links_are_kept_only_when_every_move_since_was_a_session_only_one() {
        let org = OrgId::new();
        let at = |seq, session_bumps| OrgSeq {
            org,
            seq,
            session_bumps,
        };
        let held = OrgLinks::build(at(5, 2), Vec::new());
        assert!(held.only_sessions_changed_until(at(5, 2)), "nothing moved");
        assert!(
            held.only_sessions_changed_until(at(8, 5)),
            "three membership changes"
        );
        for (seq, bumps, why) in [
            (8, 4, "two membership changes and a link change"),
            (6, 2, "a link change"),
            (4, 2, "the sequence went back (a restored database)"),
        ] {
            assert!(!held.only_sessions_changed_until(at(seq, bumps)), "{why}");
        }
    }

    #[test]
    fn ports_are_stripped_from_host_headers() {
        for (raw, host) in [
            ("go", "go"),
            ("go.acme:8080", "go.acme"),
            ("[::1]:80", "[::1]"),
            ("[::1]", "[::1]"),
        ] {
            assert_eq!(strip_port(raw), host, "{raw}");
        }
    }
}
