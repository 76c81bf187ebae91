//! The session check without a database read per request: sessions found once are kept in
//! memory and trusted while their organization's change sequence stands still. Ending a
//! session (logout, deactivation, deletion) bumps that sequence, so every server drops its
//! cached sessions of the organization — at once on PostgreSQL (`crate::change_feed`), else within
//! a sync interval — and asks the store again.
//!
//! Secrets that are *not* found (a made-up cookie, SCIM or API token) are remembered too, in
//! [`UnknownSecrets`], so that repeating one costs no database read.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use time::{Duration, OffsetDateTime};

use crate::domain::OrgId;
use crate::index::Index;
use crate::store::{SessionRecord, Store, StoreError, StoreResult};

/// A session's last use is written at most this often.
const TOUCH_EVERY: Duration = Duration::minutes(1);

struct Cached {
    record: SessionRecord,
    /// The organization's change sequence when the record was read.
    seq: i64,
}

pub struct SessionCache {
    entries: RwLock<HashMap<Vec<u8>, Cached>>,
    unknown: Arc<UnknownSecrets>,
}

/// How long sessions live: `idle` without use, `absolute` after sign-in at most.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionCache {
    pub fn new(unknown: Arc<UnknownSecrets>) -> Self {
        Self {
            entries: RwLock::default(),
            unknown,
        }
    }

    /// The live session whose cookie digests to `digest`.
    pub async fn lookup(
        &self,
        store: &Store,
        index: &Index,
        digest: &[u8],
        lifetimes: Lifetimes,
    ) -> StoreResult<Option<SessionRecord>> {
        let now = OffsetDateTime::now_utc();
        let cached = {
            let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
            entries
                .get(digest)
                .filter(|c| seq_of(index, c.record.org) == Some(c.seq))
                .map(|c| c.record.clone())
        };
        let record = match cached {
            Some(record) => record,
            None => match self.read(store, index, digest).await? {
                Some(record) => record,
                None => return Ok(None),
            },
        };
        if record.expires_at <= now || now - record.last_seen_at > lifetimes.idle {
            self.forget(digest);
            return Ok(None);
        }
        if now - record.last_seen_at > TOUCH_EVERY {
            // The last use is bookkeeping: written in the background, so that a request that
            // only reads never waits for the one writer (a large click flush can hold it for
            // seconds).
            let (store, org, id) = (store.clone(), record.org, record.id);
            tokio::spawn(async move {
                if let Err(e) = store.touch_session(org, id).await {
                    tracing::warn!(error = %e, "cannot record a session's last use");
                }
            });
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            if let Some(cached) = entries.get_mut(digest) {
                cached.record.last_seen_at = now;
            }
        }
        Ok(Some(record))
    }

    /// The session from the store, remembered; `None` (and remembered as unknown when
    /// nothing was ever stored under `digest`) when there is no live one.
    async fn read(
        &self,
        store: &Store,
        index: &Index,
        digest: &[u8],
    ) -> StoreResult<Option<SessionRecord>> {
        if self.unknown.contains(digest) {
            return Ok(None);
        }
        // The sequences before the read: a session ended while it runs moves them past what
        // is remembered here, so it is dropped at the next look-up.
        let before: HashMap<OrgId, i64> =
            index.links().iter().map(|(org, l)| (*org, l.seq)).collect();
        match store.find_session(digest).await {
            Ok(record) => {
                let seq = before.get(&record.org).copied().unwrap_or(-1);
                self.remember(digest, &record, seq);
                Ok(Some(record))
            }
            Err(StoreError::NotFound) => {
                self.forget(digest);
                self.unknown.remember_if_never_stored(store, digest).await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn remember(&self, digest: &[u8], record: &SessionRecord, seq: i64) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(
            digest.to_vec(),
            Cached {
                record: record.clone(),
                seq,
            },
        );
    }

    pub fn forget(&self, digest: &[u8]) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(digest);
    }
}

/// The organization's change sequence the index holds: what cached secrets are trusted against.
pub(crate) fn seq_of(index: &Index, org: OrgId) -> Option<i64> {
    index.links().get(&org).map(|l| l.seq)
}

/// Digests of secrets the store did not know, each for [`UnknownSecrets::TTL`] at most, the
/// [`UnknownSecrets::CAPACITY`] most recent ones: one structure for session cookies, SCIM
/// and API tokens (their digests never collide: each kind has its own prefix).
///
/// Only digests under which nothing was ever stored are remembered (see
/// [`UnknownSecrets::remember_if_never_stored`]), so a person reactivated anywhere gets their
/// tokens back at once. A secret created later is not hidden by an entry either: secrets are
/// 256 random bits, so no one presents one before it exists unless they guessed it; still,
/// this process forgets the digest of every session and token it creates, and another
/// process's is at most `TTL` late. (The organizations' change sequences cannot serve here:
/// an unknown digest has no organization, and not every write that revives a token moves one.)
#[derive(Default)]
pub struct UnknownSecrets {
    entries: Mutex<Unknown>,
}

#[derive(Default)]
struct Unknown {
    seen: HashMap<Vec<u8>, Instant>,
    /// Insertion order, for eviction: oldest first. May name digests already forgotten.
    order: VecDeque<(Vec<u8>, Instant)>,
}

impl UnknownSecrets {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);
    pub const CAPACITY: usize = 4096;

    pub fn contains(&self, digest: &[u8]) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .seen
            .get(digest)
            .is_some_and(|at| at.elapsed() < Self::TTL)
    }

    pub fn insert(&self, digest: &[u8]) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let Unknown { seen, order } = &mut *entries;
        while let Some((old, at)) = order.front() {
            if seen.len() < Self::CAPACITY && at.elapsed() < Self::TTL {
                break;
            }
            if seen.get(old) == Some(at) {
                seen.remove(old);
            }
            order.pop_front();
        }
        seen.insert(digest.to_vec(), now);
        order.push_back((digest.to_vec(), now));
    }

    /// Remembers `digest` as unknown unless something was ever stored under it (a revoked or
    /// expired session, a token of a deactivated person: those may come back to life, and
    /// only someone who once held them can present them).
    pub async fn remember_if_never_stored(&self, store: &Store, digest: &[u8]) -> StoreResult<()> {
        if !store.digest_is_known(digest).await? {
            self.insert(digest);
        }
        Ok(())
    }

    /// Called when this process creates a secret with this digest.
    pub fn forget(&self, digest: &[u8]) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.seen.remove(digest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_secrets_are_bounded_and_forgettable() {
        let unknown = UnknownSecrets::default();
        unknown.insert(b"a");
        assert!(unknown.contains(b"a") && !unknown.contains(b"b"));
        unknown.forget(b"a");
        assert!(
            !unknown.contains(b"a"),
            "a secret created here is not hidden"
        );
        for i in 0..UnknownSecrets::CAPACITY + 10 {
            unknown.insert(&i.to_be_bytes());
        }
        assert!(
            !unknown.contains(&0usize.to_be_bytes()),
            "the oldest was evicted"
        );
        assert!(unknown.contains(&(UnknownSecrets::CAPACITY + 9).to_be_bytes()));
        let entries = unknown.entries.lock().expect("lock");
        assert_eq!(entries.seen.len(), UnknownSecrets::CAPACITY);
        assert!(entries.order.len() <= UnknownSecrets::CAPACITY + 1);
    }
}
