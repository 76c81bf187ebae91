//! The session check without a database read per request: sessions found once are kept in
//! memory and trusted while their organization's change sequence stands still. Ending a
//! session (logout, deactivation, deletion) bumps that sequence, so every server drops its
//! cached sessions of the organization within a sync interval and asks the store again.

use std::collections::HashMap;
use std::sync::RwLock;

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

#[derive(Default)]
pub struct SessionCache {
    entries: RwLock<HashMap<Vec<u8>, Cached>>,
}

/// How long sessions live: `idle` without use, `absolute` after sign-in at most.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionCache {
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
            None => {
                // The sequences before the read: a session ended while it runs moves them
                // past what is remembered here, so it is dropped at the next look-up.
                let before: HashMap<OrgId, i64> =
                    index.links().iter().map(|(org, l)| (*org, l.seq)).collect();
                match store.find_session(digest).await {
                    Ok(record) => {
                        let seq = before.get(&record.org).copied().unwrap_or(-1);
                        self.remember(digest, &record, seq);
                        record
                    }
                    Err(StoreError::NotFound) => {
                        self.forget(digest);
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if record.expires_at <= now || now - record.last_seen_at > lifetimes.idle {
            self.forget(digest);
            return Ok(None);
        }
        if now - record.last_seen_at > TOUCH_EVERY {
            store.touch_session(record.org, record.id).await?;
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            if let Some(cached) = entries.get_mut(digest) {
                cached.record.last_seen_at = now;
            }
        }
        Ok(Some(record))
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

fn seq_of(index: &Index, org: OrgId) -> Option<i64> {
    index.links().get(&org).map(|l| l.seq)
}
