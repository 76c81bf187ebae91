//! The read the provisioning log needs to say what a group write did: the names of the people
//! added or removed (the write itself reports who they are). Read on the write pool, so that
//! it sees the state the write just made.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Store, StoreResult, on_pool};
use crate::domain::OrgId;

/// Ids bound per `IN (…)` list: far under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

impl Store {
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
