//! Daily click counts, written in one transaction per flush.

use crate::metrics::{QueryFamily, time_query};
use time::{Date, OffsetDateTime};

use super::{Store, StoreResult, Timestamp, on_pool};
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

impl Store {
    /// Adds the batches to the daily buckets. Clicks on a link deleted meanwhile are dropped
    /// (the `WHERE EXISTS` guards), never an error that would lose the rest of the batch.
    pub async fn record_clicks(&self, batches: &[ClickBatch]) -> StoreResult<()> {
        let _timer = time_query(QueryFamily::ClickFlush);
        if batches.is_empty() {
            return Ok(());
        }
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            for b in batches {
                let (org, link) = (b.org.as_uuid(), b.link.as_uuid());
                sqlx::query(
                    "INSERT INTO link_clicks_daily (org_id, link_id, day, clicks)
                     SELECT $1, $2, $3, $4
                     WHERE EXISTS (SELECT 1 FROM links WHERE org_id = $1 AND id = $2)
                     ON CONFLICT (org_id, link_id, day) DO UPDATE
                     SET clicks = link_clicks_daily.clicks + excluded.clicks",
                )
                .bind(org)
                .bind(link)
                .bind(b.day)
                .bind(b.clicks)
                .execute(&mut *tx)
                .await?;
                if !b.users.is_empty() {
                    for user in &b.users {
                        sqlx::query(
                            "INSERT INTO link_click_users (org_id, link_id, day, user_id)
                             SELECT $1, $2, $3, $4
                             WHERE EXISTS (SELECT 1 FROM links WHERE org_id = $1 AND id = $2)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(org)
                        .bind(link)
                        .bind(b.day)
                        .bind(user.as_uuid())
                        .execute(&mut *tx)
                        .await?;
                    }
                    sqlx::query(
                        "UPDATE link_clicks_daily SET unique_users = (
                             SELECT COUNT(*) FROM link_click_users c
                             WHERE c.org_id = $1 AND c.link_id = $2 AND c.day = $3)
                         WHERE org_id = $1 AND link_id = $2 AND day = $3",
                    )
                    .bind(org)
                    .bind(link)
                    .bind(b.day)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "UPDATE links SET clicks_total = clicks_total + $3, last_clicked_at = $4
                     WHERE org_id = $1 AND id = $2",
                )
                .bind(org)
                .bind(link)
                .bind(b.clicks)
                .bind(Timestamp(b.last_at))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
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
