//! PostgreSQL's change feed, the database side: a connection that `LISTEN`s on the channel
//! the `organizations_notify_change` trigger (migration 0007) notifies at every commit that
//! moves a change sequence. What to do with a change is `crate::change_feed`'s business.

use std::str::FromStr;

use sqlx::postgres::{PgListener, PgPoolOptions};
use uuid::Uuid;

use super::{Backend, Store, StoreResult};
use crate::domain::OrgId;

/// The channel the trigger notifies.
const CHANNEL: &str = "golinks_changes";

/// How the listening connection shows in `pg_stat_activity`, apart from the pool's.
pub const APPLICATION_NAME: &str = "golinks change feed";

/// One organization's change sequence reached `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub org: OrgId,
    pub seq: i64,
}

impl FromStr for Change {
    type Err = ();

    /// `<org uuid>:<seq>`, as the trigger writes it.
    fn from_str(payload: &str) -> Result<Self, ()> {
        let (org, seq) = payload.split_once(':').ok_or(())?;
        Ok(Change {
            org: OrgId::from_uuid(Uuid::parse_str(org).map_err(|_| ())?),
            seq: seq.parse().map_err(|_| ())?,
        })
    }
}

/// What the listening connection heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A change; `None` when the payload was not one the trigger writes (another program
    /// notifying the channel), which is taken as "something changed".
    Change(Option<Change>),
    /// The connection is gone: whatever was notified meanwhile is lost.
    Lost,
}

/// A connection listening for changes. Dropping it closes the connection.
pub struct ChangeListener {
    listener: PgListener,
}

impl Store {
    /// A new connection listening for changes; `None` on SQLite, which has no feed (its
    /// writers are processes on the same machine, followed by the poll).
    pub async fn listen_for_changes(&self) -> StoreResult<Option<ChangeListener>> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(None);
        };
        let options = (*pool.connect_options())
            .clone()
            .application_name(APPLICATION_NAME);
        // A pool of its own, so that the feed never takes one of the requests' connections;
        // sized one, as the listener holds its connection for good.
        let own = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(super::CONNECT_TIMEOUT)
            .connect_lazy_with(options);
        let mut listener = PgListener::connect_with(&own).await?;
        // A lost connection is reported (`Heard::Lost`) rather than silently replaced: the
        // caller reconnects and catches up itself.
        listener.eager_reconnect(false);
        listener.listen(CHANNEL).await?;
        Ok(Some(ChangeListener { listener }))
    }
}

impl ChangeListener {
    /// Waits for the next notification, or the loss of the connection.
    pub async fn next(&mut self) -> Heard {
        match self.listener.try_recv().await {
            Ok(Some(n)) => Heard::Change(n.payload().parse().ok()),
            // `Ok(None)` is a lost connection; an error (e.g. the server's FATAL message
            // when the backend is terminated) leaves it unusable as well.
            Ok(None) | Err(_) => Heard::Lost,
        }
    }

    /// A notification already received, without waiting: to coalesce a burst.
    pub fn buffered(&mut self) -> Option<Heard> {
        let n = self.listener.next_buffered()?;
        Some(Heard::Change(n.payload().parse().ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_read_as_the_trigger_writes_them() {
        let org = Uuid::new_v4();
        assert_eq!(
            format!("{org}:42").parse::<Change>(),
            Ok(Change {
                org: OrgId::from_uuid(org),
                seq: 42
            })
        );
        for junk in [
            "",
            "42",
            "not-a-uuid:1",
            &format!("{org}:x"),
            &format!("{org}"),
        ] {
            assert!(junk.parse::<Change>().is_err(), "{junk:?}");
        }
    }
}
