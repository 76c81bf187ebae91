//! Following other processes' writes at once. On PostgreSQL, every commit that moves an
//! organization's change sequence is notified (`store::change_feed`); this task reloads the
//! index as soon as such a notification is news to it, so a link created on one replica
//! resolves on the others, and a deactivated person's session is refused there, within a
//! round trip rather than a poll interval. The poll (`--sync-interval-ms`) keeps running as the
//! safety net, and is all SQLite has.
//!
//! Notifications are lost while the listening connection is down, so after reconnecting the
//! task catches up with a full [`Index::sync`](crate::index::Index::sync).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::store::{Change, ChangeListener, Heard, Store};

/// Waits between reconnection attempts: doubling from the first, never above the last.
const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// What the feed has done, for metrics.
#[derive(Debug, Default)]
pub struct FeedStats {
    catch_ups: AtomicU64,
    last_applied_unix_ms: AtomicI64,
}

impl FeedStats {
    /// How often the feed reconnected and caught up with a full sync.
    pub fn catch_ups(&self) -> u64 {
        self.catch_ups.load(Ordering::Relaxed)
    }

    /// When a change made elsewhere (another replica, the CLI) was last applied to this
    /// process's index, by the feed or the poll; `None` before the first.
    pub fn last_applied_unix_ms(&self) -> Option<i64> {
        Some(self.last_applied_unix_ms.load(Ordering::Relaxed)).filter(|ms| *ms > 0)
    }

    /// Records that a change made elsewhere was applied now.
    pub fn applied(&self) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        self.last_applied_unix_ms
            .store(i64::try_from(now).unwrap_or(i64::MAX), Ordering::Relaxed);
    }
}

/// The feed's state at start-up.
pub enum Feed {
    /// SQLite: no feed, the poll alone.
    Off,
    Listening(ChangeListener),
    /// PostgreSQL, but the listening connection could not be opened: the task retries.
    Down,
}

/// Opens the listening connection. Done before the index is loaded, so that no change
/// committed between the load and the `LISTEN` goes unnoticed until the next poll.
pub async fn listen(store: &Store) -> Feed {
    match store.listen_for_changes().await {
        Ok(None) => Feed::Off,
        Ok(Some(listener)) => Feed::Listening(listener),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for changes; will retry (the poll still runs)");
            Feed::Down
        }
    }
}

/// Follows the feed until `stop` turns true; nothing to run on SQLite.
pub fn spawn(feed: Feed, state: AppState, stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    let first = match feed {
        Feed::Off => return None,
        Feed::Listening(listener) => Some(listener),
        Feed::Down => None,
    };
    Some(tokio::spawn(follow(first, state, stop)))
}

async fn follow(first: Option<ChangeListener>, state: AppState, mut stop: watch::Receiver<bool>) {
    let mut listener = match first {
        Some(listener) => listener,
        None => match reconnect(&state, &mut stop).await {
            Some(listener) => listener,
            None => return,
        },
    };
    loop {
        let heard = tokio::select! {
            heard = listener.next() => heard,
            _ = stop.changed() => return,
        };
        match heard {
            Heard::Change(change) => {
                // Coalesce a burst: whatever is already buffered, then one sync.
                let mut news = is_news(&state, change);
                while let Some(Heard::Change(change)) = listener.buffered() {
                    news |= is_news(&state, change);
                }
                if news {
                    apply(&state).await;
                }
            }
            Heard::Lost => {
                tracing::warn!(
                    "the change feed lost its connection to PostgreSQL; reconnecting (the poll \
                     still runs meanwhile)"
                );
                drop(listener);
                listener = match reconnect(&state, &mut stop).await {
                    Some(listener) => listener,
                    None => return,
                };
            }
        }
    }
}

/// Whether a notification tells of a change the index does not hold yet (this process's own
/// writes are usually applied already). An unreadable payload is taken as news.
fn is_news(state: &AppState, change: Option<Change>) -> bool {
    change.is_none_or(|c| !state.index.has_seen(c.org, c.seq))
}

async fn apply(state: &AppState) {
    match state.index.sync(&state.store).await {
        Ok(true) => state.change_feed.applied(),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "cannot apply a change; the poll will retry"),
    }
}

/// Listens again, with bounded backoff, then catches up with what was missed meanwhile;
/// `None` when stopped first.
async fn reconnect(state: &AppState, stop: &mut watch::Receiver<bool>) -> Option<ChangeListener> {
    let mut wait = BACKOFF_FIRST;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return None,
        }
        wait = (wait * 2).min(BACKOFF_MAX);
        let listener = match state.store.listen_for_changes().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return None,
            Err(e) => {
                tracing::debug!(error = %e, "cannot listen for changes yet");
                continue;
            }
        };
        // Listening first, then the sync: a change committed in between is both notified
        // and caught up with, never neither.
        match state.index.sync(&state.store).await {
            Ok(applied) => {
                if applied {
                    state.change_feed.applied();
                }
                state.change_feed.catch_ups.fetch_add(1, Ordering::Relaxed);
                crate::metrics::change_feed_reconnected();
                tracing::info!(
                    "change feed reconnected; caught up to {}",
                    describe_seqs(state)
                );
                return Some(listener);
            }
            Err(e) => tracing::debug!(error = %e, "cannot catch up yet"),
        }
    }
}

/// The index's change sequences, `<org>:<seq>` each, for the log.
fn describe_seqs(state: &AppState) -> String {
    let links = state.index.links();
    let mut seqs: Vec<String> = links
        .iter()
        .map(|(org, l)| format!("{}:{}", org.as_uuid(), l.seq))
        .collect();
    seqs.sort();
    seqs.join(", ")
}
