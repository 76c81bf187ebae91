//! The team directory: people found by name, email, department or title.

use uuid::Uuid;

use super::link_reads::like_pattern;
use super::rows::parse_enum;
use super::{Store, StoreError, StoreResult, on_pool};
use crate::domain::{OrgId, Role, UserId};

/// A person as the directory shows them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub user_name: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub role: Role,
    pub active: bool,
}

impl Person {
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.user_name)
    }
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: Uuid,
    user_name: String,
    display_name: Option<String>,
    email: Option<String>,
    department: Option<String>,
    title: Option<String>,
    role: String,
    active: bool,
}

impl TryFrom<PersonRow> for Person {
    type Error = sqlx::Error;

    fn try_from(r: PersonRow) -> Result<Self, Self::Error> {
        Ok(Person {
            id: UserId::from_uuid(r.id),
            user_name: r.user_name,
            display_name: r.display_name,
            email: r.email,
            department: r.department,
            title: r.title,
            role: parse_enum(&r.role)?,
            active: r.active,
        })
    }
}

const PERSON_SELECT: &str =
    "SELECT id, user_name, display_name, email, department, title, role, active FROM users";

impl Store {
    /// People (not deleted) whose name, email, department or title contains `text`, by name;
    /// with `group`, only its members.
    pub async fn search_people(
        &self,
        org: OrgId,
        text: &str,
        group: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<Person>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE org_id = $1 AND deleted_at IS NULL AND ($2 = '%%'
               OR user_name_key LIKE $2 ESCAPE '\\' OR lower(display_name) LIKE $2 ESCAPE '\\'
               OR email_key LIKE $2 ESCAPE '\\' OR lower(department) LIKE $2 ESCAPE '\\'
               OR lower(title) LIKE $2 ESCAPE '\\')
             AND ($4 IS NULL OR EXISTS (SELECT 1 FROM group_members m
                 WHERE m.org_id = users.org_id AND m.group_id = $4 AND m.user_id = users.id))
             ORDER BY lower(coalesce(display_name, user_name)), id LIMIT $3"
        ));
        let rows: Vec<PersonRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(like_pattern(text))
                .bind(limit)
                .bind(group)
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(Person::try_from)
            .collect::<Result<_, _>>()?)
    }

    pub async fn find_person(&self, org: OrgId, id: UserId) -> StoreResult<Person> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL"
        ));
        let row: Option<PersonRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(p)
                .await?
        });
        Ok(row.ok_or(StoreError::NotFound)?.try_into()?)
    }
}
