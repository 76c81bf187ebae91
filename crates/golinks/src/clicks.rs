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
    /// The first person to follow the link since the last flush, kept inline: most links
    /// are followed by one person between flushes, and a set costs an allocation on the hit.
    first: Option<UserId>,
    /// The others.
    more: IdSet<UserId>,
}

impl Pending {
    fn add_user(&mut self, user: UserId) {
        match self.first {
            None => self.first = Some(user),
            Some(first) if first == user => {}
            Some(_) => {
                self.more.insert(user);
            }
        }
    }

    fn users(&self) -> impl Iterator<Item = UserId> + '_ {
        self.first.into_iter().chain(self.more.iter().copied())
    }
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
            entry.add_user(user);
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
            .flat_map(|shard| {
                let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
                // The next interval likely sees as many links: sized now, a hit does not pay
                // for the map's growth.
                let fresh = Counts::with_capacity_and_hasher(shard.capacity(), Default::default());
                std::mem::replace(&mut *shard, fresh)
            })
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
                users: p.users().collect(),
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
                    for user in p.users() {
                        entry.add_user(user);
                    }
                }
                Err(e)
            }
        }
    }
}
