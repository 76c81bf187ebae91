//! Organizations, their host names and their change sequence.

use crate::metrics::{QueryFamily, time_query};
use uuid::Uuid;

use super::{Org, ResultExt, Store, StoreError, StoreResult, Timestamp, on_pool};
use crate::domain::{BaseUrl, HostName, OrgId};

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    slug: String,
    name: String,
    is_default: bool,
    anonymous_resolution: bool,
    change_seq: i64,
    base_url: Option<String>,
}

const ORG_COLUMNS: &str = "id, slug, name, is_default, anonymous_resolution, change_seq, base_url";

impl Store {
    pub(super) async fn ensure_default_org(&self) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            sqlx::query(
                "INSERT INTO organizations (id, slug, name, is_default, created_at)
                 SELECT $1, 'default', 'Default', TRUE, $2
                 WHERE NOT EXISTS (SELECT 1 FROM organizations WHERE is_default)
                 ON CONFLICT DO NOTHING",
            )
            .bind(OrgId::new().as_uuid())
            .bind(Timestamp::now())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every organization with its host names.
    pub async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organizations ORDER BY slug"
        ));
        let rows: Vec<OrgRow> = on_pool!(self.read(), |p| sqlx::query_as(sql).fetch_all(p).await?);
        let hosts: Vec<(Uuid, String)> = on_pool!(self.read(), |p| {
            sqlx::query_as("SELECT org_id, host FROM org_hosts ORDER BY host")
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Org {
                id: OrgId::from_uuid(r.id),
                hosts: hosts
                    .iter()
                    .filter(|(org, _)| *org == r.id)
                    .map(|(_, h)| h.clone())
                    .collect(),
                slug: r.slug,
                name: r.name,
                is_default: r.is_default,
                anonymous_resolution: r.anonymous_resolution,
                change_seq: r.change_seq,
                base_url: r.base_url,
            })
            .collect())
    }

    pub async fn find_org_by_slug(&self, slug: &str) -> StoreResult<Org> {
        self.list_orgs()
            .await?
            .into_iter()
            .find(|o| o.slug == slug)
            .ok_or(StoreError::NotFound)
    }

    /// Creates an organization reached by `hosts` (lowercase, without port).
    pub async fn create_org(&self, slug: &str, name: &str, hosts: &[String]) -> StoreResult<OrgId> {
        let id = OrgId::new();
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.as_uuid())
            .bind(slug)
            .bind(name)
            .bind(Timestamp::now())
            .execute(&mut *tx)
            .await
            .on_unique(|| format!("an organization {slug:?} exists already"))?;
            for host in hosts {
                sqlx::query("INSERT INTO org_hosts (org_id, host) VALUES ($1, $2)")
                    .bind(id.as_uuid())
                    .bind(host.to_ascii_lowercase())
                    .execute(&mut *tx)
                    .await
                    .on_unique(|| format!("the host {host:?} belongs to another organization"))?;
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Renames an organization.
    pub async fn rename_org(&self, org: OrgId, name: &str) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE organizations SET name = $2 WHERE id = $1")
                .bind(org.as_uuid())
                .bind(name)
                .execute(&mut *tx)
                .await?;
            bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Replaces the host names that reach `org`, the default organization included (its
    /// own rows are claimed like any other's; it also serves every host no one claims).
    /// Only the operator calls this (`golinks org set`): a host decides whose links and
    /// identity provider everyone on it gets.
    pub async fn set_org_hosts(&self, org: OrgId, hosts: &[HostName]) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM org_hosts WHERE org_id = $1")
                .bind(org.as_uuid())
                .execute(&mut *tx)
                .await?;
            for host in hosts {
                sqlx::query("INSERT INTO org_hosts (org_id, host) VALUES ($1, $2)")
                    .bind(org.as_uuid())
                    .bind(host.as_str())
                    .execute(&mut *tx)
                    .await
                    .on_unique(|| format!("the host {host} belongs to another organization"))?;
            }
            bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether company links of `org` resolve without sign-in.
    pub async fn set_anonymous_resolution(&self, org: OrgId, on: bool) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE organizations SET anonymous_resolution = $2 WHERE id = $1")
                .bind(org.as_uuid())
                .bind(on)
                .execute(&mut *tx)
                .await?;
            bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets (or, with `None`, clears) the organization's canonical base URL.
    pub async fn set_org_base_url(&self, org: OrgId, url: Option<&BaseUrl>) -> StoreResult<()> {
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE organizations SET base_url = $2 WHERE id = $1")
                .bind(org.as_uuid())
                .bind(url.map(BaseUrl::origin))
                .execute(&mut *tx)
                .await?;
            bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The change sequence of every organization: what the caches compare to notice writes
    /// made by another process.
    pub async fn change_seqs(&self) -> StoreResult<Vec<(OrgId, i64)>> {
        let _timer = time_query(QueryFamily::ChangeFeed);
        let rows: Vec<(Uuid, i64)> = on_pool!(self.read(), |p| {
            sqlx::query_as("SELECT id, change_seq FROM organizations")
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, seq)| (OrgId::from_uuid(id), seq))
            .collect())
    }

    /// Every organization's change sequence with its count of session-only moves: what the
    /// link index compares to tell a change to its links from one to sessions alone.
    pub async fn org_seqs(&self) -> StoreResult<Vec<OrgSeq>> {
        let _timer = time_query(QueryFamily::ChangeFeed);
        let rows: Vec<(Uuid, i64, i64)> = on_pool!(self.read(), |p| {
            sqlx::query_as("SELECT id, change_seq, session_bumps FROM organizations")
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, seq, session_bumps)| OrgSeq {
                org: OrgId::from_uuid(id),
                seq,
                session_bumps,
            })
            .collect())
    }
}

/// An organization's change sequence, and how many of its moves were session-only ones
/// ([`bump_session_seq!`]); read together, from one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSeq {
    pub org: OrgId,
    pub seq: i64,
    pub session_bumps: i64,
}

/// Bumps the organization's change sequence inside a write's transaction and returns the
/// new value, so caches everywhere learn that something changed: on PostgreSQL at commit (the
/// trigger of migration 0007 notifies the change feed), else at their next poll.
macro_rules! bump_change_seq {
    ($tx:expr, $org:expr) => {
        sqlx::query_scalar::<_, i64>(
            "UPDATE organizations SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq",
        )
        .bind($org.as_uuid())
        .fetch_one(&mut *$tx)
        .await?
    };
}
pub(crate) use bump_change_seq;

/// Bumps the change sequence for a write that changes only what cached sessions hold — a
/// person's groups, the roles groups give — and not the link index (links, organizations'
/// settings): every server's sessions of the organization re-read their groups and role, and
/// the link index, seeing the move counted in `session_bumps` (migration 0016), keeps its
/// links instead of reloading them. Notifies the change feed like [`bump_change_seq!`].
/// Evaluates to the new [`OrgSeq`] and the organization's `(admin_group_id,
/// moderator_group_id)`, read under the row lock this takes, for the role recompute that may
/// follow.
macro_rules! bump_session_seq {
    ($tx:expr, $org:expr) => {{
        let (seq, session_bumps, admin, moderator) =
            sqlx::query_as::<_, (i64, i64, Option<uuid::Uuid>, Option<uuid::Uuid>)>(
                "UPDATE organizations
                 SET change_seq = change_seq + 1, session_bumps = session_bumps + 1
                 WHERE id = $1
                 RETURNING change_seq, session_bumps, admin_group_id, moderator_group_id",
            )
            .bind($org.as_uuid())
            .fetch_one(&mut *$tx)
            .await?;
        let at = $crate::store::OrgSeq {
            org: $org,
            seq,
            session_bumps,
        };
        (at, admin, moderator)
    }};
}
pub(crate) use bump_session_seq;
