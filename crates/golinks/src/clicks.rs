//! Click counting that never delays a redirect: a redirect adds one to an in-memory counter;
//! a background task moves the counts to the store in one transaction every few seconds
//! (and once more at shutdown).

use std::sync::Mutex;

use time::OffsetDateTime;

use crate::domain::{LinkId, OrgId, UserId};
use crate::index::id_hash::{IdMap, IdSet};
use crate::store::{ClickBatch, Store, StoreResult};

#[derive(Default)]
struct Pending {
    clicks: i64,
    users: IdSet<UserId>,
}

/// Counters split by link, so that the worker threads rarely wait on one another's lock.
const SHARDS: usize = 16;

type Counts = IdMap<(OrgId, LinkId), Pending>;

#[derive(Default)]
pub struct ClickCounter {
    shards: [Mutex<Counts>; SHARDS],
}

impl ClickCounter {
    fn shard(&self, link: LinkId) -> &Mutex<Counts> {
        // UUIDv7's last bytes are random: a fair spread.
        let index = usize::from(link.as_uuid().as_bytes()[15]) % SHARDS;
        &self.shards[index]
    }

    pub fn record(&self, org: OrgId, link: LinkId, user: Option<UserId>) {
        let mut pending = self.shard(link).lock().unwrap_or_else(|e| e.into_inner());
        let entry = pending.entry((org, link)).or_default();
        entry.clicks += 1;
        if let Some(user) = user {
            entry.users.insert(user);
        }
    }

    /// Writes the pending counts. On a database error they are put back, so a flush that
    /// fails loses nothing; the next one retries.
    pub async fn flush(&self, store: &Store) -> StoreResult<usize> {
        let result = self.write(store).await;
        crate::metrics::clicks_flushed(&result);
        result
    }

    async fn write(&self, store: &Store) -> StoreResult<usize> {
        let taken: Counts = self
            .shards
            .iter()
            .flat_map(|shard| std::mem::take(&mut *shard.lock().unwrap_or_else(|e| e.into_inner())))
            .collect();
        if taken.is_empty() {
            return Ok(0);
        }
        let now = OffsetDateTime::now_utc();
        let batches: Vec<ClickBatch> = taken
            .iter()
            .map(|((org, link), p)| ClickBatch {
                org: *org,
                link: *link,
                day: now.date(),
                clicks: p.clicks,
                users: p.users.iter().copied().collect(),
                last_at: now,
            })
            .collect();
        match store.record_clicks(&batches).await {
            Ok(()) => Ok(batches.len()),
            Err(e) => {
                for (key, p) in taken {
                    let mut pending = self.shard(key.1).lock().unwrap_or_else(|e| e.into_inner());
                    let entry = pending.entry(key).or_default();
                    entry.clicks += p.clicks;
                    entry.users.extend(p.users);
                }
                Err(e)
            }
        }
    }
}
