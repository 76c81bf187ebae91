//! Daily click counts, written in one transaction per flush.

use crate::metrics::{QueryFamily, time_query};
use sqlx::{Postgres, QueryBuilder, Sqlite, Transaction};
use time::{Date, OffsetDateTime};

use super::{Db, Store, StoreResult, Timestamp, on_pool};
use crate::domain::{LinkId, OrgId, UserId};

/// The clicks one link received since the last flush.
#[derive(Debug, Clone)]
pub struct ClickBatch {
    pub org: OrgId,
    pub link: LinkId,
    pub day: Date,
    pub clicks: i64,
    /// Signed-in people who followed it, for the unique-people count.
    pub users: Vec<UserId>,
    pub last_at: OffsetDateTime,
}

/// Links (or link-person pairs) per PostgreSQL statement: four or five parameters each, far
/// under its limit of 65,535.
const CHUNK: usize = 500;

impl Store {
    /// Adds the batches to the daily buckets, in one transaction. Clicks on a link deleted
    /// meanwhile are dropped (the `WHERE EXISTS` guards and the join on `links`), never an
    /// error that would lose the rest of the batch.
    ///
    /// PostgreSQL gets a few multi-row statements per flush: one statement per link was one
    /// round trip per link. SQLite gets three statements per flush, whatever the number of
    /// links: the batches go in as one JSON array that `jsonb_each` spreads, so the statements'
    /// text never changes and they are prepared once (multi-row `VALUES` made new statements
    /// of hundreds of rows to parse at each flush; one statement per link and step made three
    /// turns of the writer thread per link; docs/benchmarks.md). A day's unique people are
    /// counted by a trigger as their rows go in (migration 0017), so the day's row is written
    /// before its people.
    pub async fn record_clicks(&self, batches: &[ClickBatch]) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::ClickFlush);
        if batches.is_empty() {
            return Ok(());
        }
        match self.write() {
            Db::Sqlite(p) => {
                let mut tx = p.begin().await?;
                record_json(&mut tx, batches).await?;
                tx.commit().await?;
            }
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                record_chunked(&mut tx, batches).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// How many different signed-in people followed the link since `since` (a day, UTC).
    pub async fn link_people(&self, org: OrgId, link: LinkId, since: Date) -> StoreResult<i64> {
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT COUNT(DISTINCT user_id) FROM link_click_users
                 WHERE org_id = $1 AND link_id = $2 AND day >= $3",
            )
            .bind(org.as_uuid())
            .bind(link.as_uuid())
            .bind(since)
            .fetch_one(p)
            .await?
        }))
    }

    /// The links `user` followed most recently (by day), newest first.
    pub async fn recently_used(
        &self,
        org: OrgId,
        user: UserId,
        limit: i64,
    ) -> StoreResult<Vec<LinkId>> {
        let ids: Vec<uuid::Uuid> = on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT link_id FROM link_click_users WHERE org_id = $1 AND user_id = $2
                 GROUP BY link_id ORDER BY MAX(day) DESC, link_id LIMIT $3",
            )
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        Ok(ids.into_iter().map(LinkId::from_uuid).collect())
    }

    /// Clicks per day of one link, oldest first.
    pub async fn daily_clicks(
        &self,
        org: OrgId,
        link: LinkId,
    ) -> StoreResult<Vec<(Date, i64, i64)>> {
        Ok(on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT day, clicks, unique_users FROM link_clicks_daily
                 WHERE org_id = $1 AND link_id = $2 ORDER BY day",
            )
            .bind(org.as_uuid())
            .bind(link.as_uuid())
            .fetch_all(p)
            .await?
        }))
    }
}

/// All the batches (SQLite), as one JSON array bound to each of three statements. Ids go in
/// as hex (`unhex` gives back the blobs SQLite keeps), times in the text form it keeps.
/// `jsonb_each`, not `json_each`: its rows are SQLite's binary JSON, which `->>` reads in
/// place, where `json_each` hands each object back as text that every `->>` parses again.
async fn record_json(
    tx: &mut Transaction<'_, Sqlite>,
    batches: &[ClickBatch],
) -> Result<(), sqlx::Error> {
    let hex = |id: uuid::Uuid| id.simple().to_string();
    let rows = batches
        .iter()
        .map(|b| {
            Ok(serde_json::json!({
                "org": hex(b.org.as_uuid()),
                "link": hex(b.link.as_uuid()),
                "day": b.day.to_string(),
                "clicks": b.clicks,
                "at": Timestamp(b.last_at).sqlite_text()?,
                "users": b.users.iter().map(|u| hex(u.as_uuid())).collect::<Vec<_>>(),
            }))
        })
        .collect::<Result<Vec<_>, sqlx::error::BoxDynError>>()
        .map_err(sqlx::Error::Encode)?;
    let json = serde_json::Value::Array(rows).to_string();
    // Clicks on a link deleted meanwhile are dropped by the `EXISTS` and the join.
    let statements = [
        "INSERT INTO link_clicks_daily (org_id, link_id, day, clicks)
         SELECT unhex(j.value ->> 'org'), unhex(j.value ->> 'link'), j.value ->> 'day',
                j.value ->> 'clicks'
         FROM jsonb_each($1) j
         WHERE EXISTS (SELECT 1 FROM links l
                       WHERE l.org_id = unhex(j.value ->> 'org') AND l.id = unhex(j.value ->> 'link'))
         ON CONFLICT (org_id, link_id, day) DO UPDATE
         SET clicks = link_clicks_daily.clicks + excluded.clicks",
        "INSERT INTO link_click_users (org_id, link_id, day, user_id)
         SELECT unhex(j.value ->> 'org'), unhex(j.value ->> 'link'), j.value ->> 'day',
                unhex(u.value)
         FROM jsonb_each($1) j, jsonb_each(j.value, '$.users') u
         WHERE EXISTS (SELECT 1 FROM links l
                       WHERE l.org_id = unhex(j.value ->> 'org') AND l.id = unhex(j.value ->> 'link'))
         ON CONFLICT DO NOTHING",
        "UPDATE links SET clicks_total = links.clicks_total + v.clicks, last_clicked_at = v.at
         FROM (SELECT unhex(j.value ->> 'org') AS org_id, unhex(j.value ->> 'link') AS id,
                      j.value ->> 'clicks' AS clicks, j.value ->> 'at' AS at
               FROM jsonb_each($1) j) v
         WHERE links.org_id = v.org_id AND links.id = v.id",
    ];
    for sql in statements {
        sqlx::query(sql).bind(&json).execute(&mut **tx).await?;
    }
    Ok(())
}

/// All the batches (PostgreSQL), [`CHUNK`] links or link-person pairs per statement.
async fn record_chunked(
    tx: &mut Transaction<'_, Postgres>,
    batches: &[ClickBatch],
) -> Result<(), sqlx::Error> {
    // Each link's daily bucket and its total, from one list of values per chunk.
    for chunk in batches.chunks(CHUNK) {
        let mut qb = QueryBuilder::new("WITH v (org_id, link_id, day, clicks, last_at) AS (");
        qb.push_values(chunk, |mut row, b| {
            row.push_bind(b.org.as_uuid())
                .push_bind(b.link.as_uuid())
                .push_bind(b.day)
                .push_bind(b.clicks)
                .push_bind(Timestamp(b.last_at));
        });
        qb.push(
            "), daily AS (
                 INSERT INTO link_clicks_daily (org_id, link_id, day, clicks)
                 SELECT v.org_id, v.link_id, v.day, v.clicks FROM v
                 WHERE EXISTS (SELECT 1 FROM links l
                               WHERE l.org_id = v.org_id AND l.id = v.link_id)
                 ON CONFLICT (org_id, link_id, day) DO UPDATE
                 SET clicks = link_clicks_daily.clicks + excluded.clicks)
             UPDATE links SET clicks_total = links.clicks_total + v.clicks,
                 last_clicked_at = v.last_at
             FROM v WHERE links.org_id = v.org_id AND links.id = v.link_id",
        );
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    let people: Vec<(&ClickBatch, UserId)> = batches
        .iter()
        .flat_map(|b| b.users.iter().map(move |u| (b, *u)))
        .collect();
    for chunk in people.chunks(CHUNK) {
        let mut qb = QueryBuilder::new("WITH v (org_id, link_id, day, user_id) AS (");
        qb.push_values(chunk, |mut row, (b, user)| {
            row.push_bind(b.org.as_uuid())
                .push_bind(b.link.as_uuid())
                .push_bind(b.day)
                .push_bind(user.as_uuid());
        });
        qb.push(
            ") INSERT INTO link_click_users (org_id, link_id, day, user_id)
             SELECT v.org_id, v.link_id, v.day, v.user_id FROM v
             WHERE EXISTS (SELECT 1 FROM links l WHERE l.org_id = v.org_id AND l.id = v.link_id)
             ON CONFLICT DO NOTHING",
        );
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}
