//! Statements shared by the link writes, as macros because each runs inside a transaction of
//! whichever backend is in use (`on_pool!` compiles the caller once per backend).

/// The first of the draft's names that another link (not `except`) already answers to.
macro_rules! first_taken_name {
    ($tx:expr, $org:expr, $draft:expr, $except:expr) => {{
        let mut taken: Option<String> = None;
        for (name, _) in $draft.names() {
            let owner: Option<uuid::Uuid> = sqlx::query_scalar(
                "SELECT link_id FROM link_names WHERE org_id = $1 AND namespace = $2 AND name_key = $3",
            )
            .bind($org.as_uuid())
            .bind($draft.namespace())
            .bind(name.key())
            .fetch_optional(&mut *$tx)
            .await?;
            let except: Option<LinkId> = $except;
            if owner.is_some_and(|id| except.is_none_or(|e| e.as_uuid() != id)) {
                taken = Some(name.as_str().to_owned());
                break;
            }
        }
        taken
    }};
}
pub(crate) use first_taken_name;

/// Fails with a conflict naming the first of the draft's names that is taken.
macro_rules! ensure_names_free {
    ($tx:expr, $org:expr, $draft:expr, $except:expr) => {
        if let Some(name) = first_taken_name!($tx, $org, $draft, $except) {
            return Err(StoreError::Conflict {
                what: format!("the name {name:?} is taken by another link"),
            });
        }
    };
}
pub(crate) use ensure_names_free;

macro_rules! insert_names_and_tags {
    ($tx:expr, $org:expr, $id:expr, $draft:expr) => {
        for (name, is_alias) in $draft.names() {
            sqlx::query(
                "INSERT INTO link_names (org_id, namespace, name_key, name, link_id, is_alias)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind($org.as_uuid())
            .bind($draft.namespace())
            .bind(name.key())
            .bind(name.as_str())
            .bind($id.as_uuid())
            .bind(is_alias)
            .execute(&mut *$tx)
            .await
            .on_unique(|| format!("the name {:?} is taken by another link", name.as_str()))?;
        }
        for tag in &$draft.tags {
            sqlx::query("INSERT INTO link_tags (org_id, link_id, tag) VALUES ($1, $2, $3)")
                .bind($org.as_uuid())
                .bind($id.as_uuid())
                .bind(tag)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(crate) use insert_names_and_tags;

macro_rules! insert_link {
    ($tx:expr, $org:expr, $id:expr, $draft:expr) => {
        let now = time::OffsetDateTime::now_utc();
        sqlx::query(
            "INSERT INTO links (org_id, id, name, url, description, owner_id, visibility,
                                created_at, updated_at, owner_group_id, visible_to_group_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)",
        )
        .bind($org.as_uuid())
        .bind($id.as_uuid())
        .bind($draft.name.as_str())
        .bind($draft.url.as_str())
        .bind(&$draft.description)
        .bind($draft.owner.map(|o| o.as_uuid()))
        .bind($draft.visibility.as_str())
        .bind($crate::store::Timestamp(now))
        .bind($draft.owner_group)
        .bind($draft.visible_to)
        .execute(&mut *$tx)
        .await?;
        insert_names_and_tags!($tx, $org, $id, $draft);
    };
}
pub(crate) use insert_link;

/// Appends a row to the link's history with JSON snapshots of before and after.
macro_rules! record_history {
    ($tx:expr, $org:expr, $id:expr, $actor:expr, $action:expr, $before:expr, $after:expr) => {
        let snapshot = |d: Option<&LinkDraft>| d.and_then(|d| serde_json::to_string(d).ok());
        let actor: Option<UserId> = $actor;
        sqlx::query(
            "INSERT INTO link_history (org_id, id, link_id, actor_id, action, before_json, after_json, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($org.as_uuid())
        .bind(uuid::Uuid::now_v7())
        .bind($id.as_uuid())
        .bind(actor.map(|a| a.as_uuid()))
        .bind($action)
        .bind(snapshot($before))
        .bind(snapshot($after))
        .bind($crate::store::Timestamp::now())
        .execute(&mut *$tx)
        .await?;
    };
}
pub(crate) use record_history;
