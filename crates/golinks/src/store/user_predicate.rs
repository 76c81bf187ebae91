//! Conditions on people, as the SCIM layer builds them from a filter
//! (`provisioning::pushdown`), rendered to SQL here with bound values: the SCIM layer names
//! attributes and comparisons, never columns or a dialect.

use sqlx::{Database, Encode, QueryBuilder, Type};
use uuid::Uuid;

use super::like::{self, Place};

/// A text attribute of a person that has a column (or, for emails, a table) of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserColumn {
    /// Compared case-insensitively (RFC 7643 §4.1.1), on the lowercase column.
    UserName,
    /// Compared case-exactly (RFC 7643 §3.1: `caseExact`).
    ExternalId,
    /// Any of the person's emails (`emails.value`), compared case-insensitively; a person
    /// matches when one of their emails does (RFC 7644 §3.4.2.2, multi-valued attributes).
    Email,
}

/// A condition on a person (not deleted) of the organization being listed.
#[derive(Debug, Clone, PartialEq)]
pub enum UserPredicate {
    Everyone,
    Nobody,
    Eq(UserColumn, String),
    /// The attribute has a value, and it is not this one.
    Ne(UserColumn, String),
    StartsWith(UserColumn, String),
    EndsWith(UserColumn, String),
    Contains(UserColumn, String),
    Present(UserColumn),
    IdEq(Uuid),
    IdNe(Uuid),
    /// The `active` column (true unless told otherwise).
    Active(bool),
    And(Box<UserPredicate>, Box<UserPredicate>),
    Or(Box<UserPredicate>, Box<UserPredicate>),
}

impl UserPredicate {
    pub fn and(a: UserPredicate, b: UserPredicate) -> Self {
        Self::And(Box::new(a), Box::new(b))
    }

    pub fn or(a: UserPredicate, b: UserPredicate) -> Self {
        Self::Or(Box::new(a), Box::new(b))
    }
}

/// People with a matching email: an uncorrelated subquery, so that it is one index look-up on
/// `user_emails` rather than a probe per person.
const EMAIL_IN: &str = "u.id IN (SELECT e.user_id FROM user_emails e WHERE e.org_id = ";

/// Appends `predicate` over `users u` of organization `org` to `qb`, every value bound.
pub(super) fn push<DB>(qb: &mut QueryBuilder<DB>, predicate: &UserPredicate, org: Uuid)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
    bool: for<'t> Encode<'t, DB> + Type<DB>,
{
    use UserPredicate as P;
    match predicate {
        P::Everyone | P::Present(UserColumn::UserName) => {
            qb.push("1 = 1");
        }
        P::Nobody => {
            qb.push("1 = 0");
        }
        P::Eq(column, value) => compare(qb, *column, org, " = ", folded(*column, value)),
        P::Ne(column, value) => compare(qb, *column, org, " <> ", folded(*column, value)),
        P::StartsWith(column, value) => like(qb, *column, org, value, Place::Start),
        P::EndsWith(column, value) => like(qb, *column, org, value, Place::End),
        P::Contains(column, value) => like(qb, *column, org, value, Place::Anywhere),
        P::Present(UserColumn::ExternalId) => {
            qb.push("u.external_id IS NOT NULL");
        }
        P::Present(UserColumn::Email) => {
            qb.push(EMAIL_IN).push_bind(org).push(")");
        }
        P::IdEq(id) => {
            qb.push("u.id = ").push_bind(*id);
        }
        P::IdNe(id) => {
            qb.push("u.id <> ").push_bind(*id);
        }
        P::Active(active) => {
            qb.push("u.active = ").push_bind(*active);
        }
        P::And(a, b) => both(qb, a, " AND ", b, org),
        P::Or(a, b) => both(qb, a, " OR ", b, org),
    }
}

fn both<DB>(qb: &mut QueryBuilder<DB>, a: &UserPredicate, op: &str, b: &UserPredicate, org: Uuid)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
    bool: for<'t> Encode<'t, DB> + Type<DB>,
{
    qb.push("(");
    push(qb, a, org);
    qb.push(")").push(op).push("(");
    push(qb, b, org);
    qb.push(")");
}

/// The value as the column holds it: userName and emails are kept lowercase.
fn folded(column: UserColumn, value: &str) -> String {
    match column {
        UserColumn::UserName | UserColumn::Email => scim::fold_case(value).into_owned(),
        UserColumn::ExternalId => value.to_owned(),
    }
}

fn like<DB>(qb: &mut QueryBuilder<DB>, column: UserColumn, org: Uuid, value: &str, place: Place)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
{
    let pattern = like::pattern(&folded(column, value), place);
    compare(qb, column, org, " LIKE ", pattern);
}

/// `<column> <op> ?`, for emails inside the subquery on `user_emails`; a LIKE gets its ESCAPE.
fn compare<DB>(qb: &mut QueryBuilder<DB>, column: UserColumn, org: Uuid, op: &str, value: String)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Uuid: for<'t> Encode<'t, DB> + Type<DB>,
{
    let escape = if op == " LIKE " { like::ESCAPE } else { "" };
    match column {
        UserColumn::UserName => qb.push("u.user_name_key"),
        UserColumn::ExternalId => qb.push("u.external_id"),
        UserColumn::Email => qb.push(EMAIL_IN).push_bind(org).push(" AND e.value_key"),
    };
    qb.push(op).push_bind(value).push(escape);
    if column == UserColumn::Email {
        qb.push(")");
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Postgres, Sqlite, SqlitePool};

    use super::*;
    use UserColumn::{Email, ExternalId, UserName};
    use UserPredicate as P;

    fn sql<DB: Database>(predicate: &UserPredicate) -> String
    where
        String: for<'t> Encode<'t, DB> + Type<DB>,
        Uuid: for<'t> Encode<'t, DB> + Type<DB>,
        bool: for<'t> Encode<'t, DB> + Type<DB>,
    {
        let mut qb = QueryBuilder::<DB>::new("");
        push(&mut qb, predicate, Uuid::nil());
        qb.sql().as_str().to_owned()
    }

    #[test]
    fn values_are_bound_and_columns_named_here() {
        let p = P::and(
            P::Eq(UserName, "Ada".into()),
            P::or(P::Contains(Email, "a%b".into()), P::Present(ExternalId)),
        );
        assert_eq!(
            sql::<Sqlite>(&p),
            "(u.user_name_key = ?) AND ((u.id IN (SELECT e.user_id FROM user_emails e \
             WHERE e.org_id = ? AND e.value_key LIKE ? ESCAPE '\\')) OR (u.external_id IS NOT NULL))"
        );
        assert_eq!(
            sql::<Postgres>(&P::and(P::IdEq(Uuid::nil()), P::Active(true))),
            "(u.id = $1) AND (u.active = $2)"
        );
    }

    /// The names (userName, lowercase) of the people `predicate` selects, run on SQLite.
    async fn selected(pool: &SqlitePool, predicate: &UserPredicate) -> Vec<String> {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT u.user_name_key FROM users u WHERE ");
        push(&mut qb, predicate, Uuid::nil());
        qb.push(" ORDER BY 1");
        qb.build_query_scalar()
            .fetch_all(pool)
            .await
            .expect("query")
    }

    #[tokio::test]
    async fn like_wildcards_in_values_match_only_themselves() {
        let pool = SqlitePool::connect("sqlite::memory:").await.expect("db");
        sqlx::raw_sql(
            "CREATE TABLE users (org_id BLOB, id BLOB, user_name_key TEXT, external_id TEXT,
                                 active BOOLEAN);
             CREATE TABLE user_emails (org_id BLOB, user_id BLOB, value_key TEXT);",
        )
        .execute(&pool)
        .await
        .expect("schema");
        for name in ["a%b@x", "axb@x", "a_b@x", "a\\b@x", "ab@x"] {
            let id = Uuid::new_v4();
            sqlx::query("INSERT INTO users VALUES ($1, $2, $3, NULL, TRUE)")
                .bind(Uuid::nil())
                .bind(id)
                .bind(name)
                .execute(&pool)
                .await
                .expect("user");
            sqlx::query("INSERT INTO user_emails VALUES ($1, $2, $3)")
                .bind(Uuid::nil())
                .bind(id)
                .bind(name)
                .execute(&pool)
                .await
                .expect("email");
        }
        for (predicate, expected) in [
            (P::Contains(UserName, "A%B".into()), "a%b@x"),
            (P::StartsWith(UserName, "a_".into()), "a_b@x"),
            (P::EndsWith(UserName, "\\b@x".into()), "a\\b@x"),
            (P::Contains(Email, "%".into()), "a%b@x"),
            (P::StartsWith(Email, "A_".into()), "a_b@x"),
            (P::EndsWith(Email, "\\B@X".into()), "a\\b@x"),
        ] {
            assert_eq!(
                selected(&pool, &predicate).await,
                [expected],
                "{predicate:?}"
            );
        }
    }
}
