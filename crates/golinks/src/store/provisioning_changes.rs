//! The reads the provisioning log needs to say what a group write did: which of the people a
//! request names were members before it, and the names of the people added or removed. Read
//! on the write pool, so that they see the state the write is about to change.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Store, StoreResult, on_pool};
use crate::domain::OrgId;

/// Ids bound per `IN (…)` list: far under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

impl Store {
    /// The members of `group` among `among` (every member when `None`).
    pub async fn group_member_ids(
        &self,
        org: OrgId,
        group: Uuid,
        among: Option<&[Uuid]>,
    ) -> StoreResult<Vec<Uuid>> {
        let Some(among) = among else {
            return Ok(on_pool!(self.write(), |p| {
                sqlx::query_scalar(
                    "SELECT user_id FROM group_members WHERE org_id = $1 AND group_id = $2",
                )
                .bind(org.as_uuid())
                .bind(group)
                .fetch_all(p)
                .await?
            }));
        };
        let mut found = Vec::new();
        for chunk in among.chunks(CHUNK) {
            let rows: Vec<Uuid> = on_pool!(self.write(), |p| {
                let mut qb = QueryBuilder::new("SELECT user_id FROM group_members WHERE org_id = ");
                qb.push_bind(org.as_uuid())
                    .push(" AND group_id = ")
                    .push_bind(group)
                    .push(" AND user_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(p).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// The name parts of these people, in the order of `ids` (the log names them by
    /// `provisioning::log_summary::name_of`); at most a few, so one query.
    pub async fn name_parts(&self, org: OrgId, ids: &[Uuid]) -> StoreResult<Vec<NameParts>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<NameParts> = on_pool!(self.write(), |p| {
            let mut qb = QueryBuilder::new(
                "SELECT id, display_name, given_name, family_name, user_name FROM users
                 WHERE org_id = ",
            );
            qb.push_bind(org.as_uuid()).push(" AND id IN (");
            let mut list = qb.separated(", ");
            for id in ids.iter().take(CHUNK) {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(p).await?
        });
        Ok(ids
            .iter()
            .filter_map(|id| rows.iter().find(|r| r.id == *id).cloned())
            .collect())
    }
}

/// What a person is named by: id, displayName, givenName, familyName, userName.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NameParts {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub user_name: String,
}
