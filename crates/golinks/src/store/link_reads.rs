//! Link reads: by id or name, search, history, export, and the redirect index's targets.

use crate::metrics::{QueryFamily, time_query};
use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::parse_enum;
use super::{
    GroupRef, Link, LinkTarget, Owner, OwnerGroup, Store, StoreError, StoreResult, on_pool,
};
use crate::domain::{LinkId, OrgId, UserId};

/// A search of the links a viewer may see.
#[derive(Debug, Clone, Default)]
pub struct LinkQuery {
    pub text: String,
    pub viewer: Option<UserId>,
    /// Only links this person owns.
    pub owner: Option<UserId>,
    /// Only links this group (a team) owns.
    pub owner_group: Option<Uuid>,
    /// Only this person's links: the ones they own and the ones a team they are in owns
    /// (the home page's "My links").
    pub mine: Option<UserId>,
    /// Newest first instead of most followed first.
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One change in a link's history, with JSON snapshots of the link before and after.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who made the change; none for the CLI and imports.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub actor: Option<UserId>,
    /// `created`, `updated`, `deleted` or `imported`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    at: OffsetDateTime,
    actor_id: Option<Uuid>,
    action: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// (link id, value) pairs: aliases or tags of several links.
type PerLink = Vec<(Uuid, String)>;

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Uuid,
    name: String,
    url: String,
    description: String,
    visibility: String,
    clicks_total: i64,
    last_clicked_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    owner_id: Option<Uuid>,
    owner_email: Option<String>,
    owner_display_name: Option<String>,
    owner_active: Option<bool>,
    owner_deleted: Option<bool>,
    owner_group_id: Option<Uuid>,
    owner_group_name: Option<String>,
    owner_group_active: Option<bool>,
    visible_to_group_id: Option<Uuid>,
    visible_to_name: Option<String>,
}

const LINK_SELECT: &str = "SELECT l.id, l.name, l.url, l.description, l.visibility, l.clicks_total,
        l.last_clicked_at, l.created_at, l.updated_at, l.owner_id, u.user_name AS owner_email,
        u.display_name AS owner_display_name, u.active AS owner_active,
        u.deleted_at IS NOT NULL AS owner_deleted,
        l.owner_group_id, og.display_name AS owner_group_name,
        (og.deleted_at IS NULL AND EXISTS (SELECT 1 FROM group_members m
            JOIN users mu ON mu.org_id = m.org_id AND mu.id = m.user_id
            WHERE m.org_id = l.org_id AND m.group_id = l.owner_group_id
              AND mu.active AND mu.deleted_at IS NULL)) AS owner_group_active,
        l.visible_to_group_id, vg.display_name AS visible_to_name
    FROM links l LEFT JOIN users u ON u.org_id = l.org_id AND u.id = l.owner_id
    LEFT JOIN groups og ON og.org_id = l.org_id AND og.id = l.owner_group_id
    LEFT JOIN groups vg ON vg.org_id = l.org_id AND vg.id = l.visible_to_group_id";

/// Who may see a link in lists: shared ones, and the viewer's own unlisted and private ones;
/// a link restricted to a group only for its members (`policy::may_follow`).
const VISIBLE_TO_VIEWER: &str =
    "(l.visibility IN ('company', 'public') OR (l.owner_id IS NOT NULL AND l.owner_id = $2))
     AND (l.visible_to_group_id IS NULL OR EXISTS (SELECT 1 FROM group_members gm
          WHERE gm.org_id = l.org_id AND gm.group_id = l.visible_to_group_id AND gm.user_id = $2))";

/// `LinkQuery::mine` ($9): the person's own links and those of the live groups they are in
/// (the groups `Store::user_group_ids` reads).
const MINE: &str = "($9 IS NULL OR l.owner_id = $9 OR l.owner_group_id IN (
        SELECT gm.group_id FROM group_members gm
        JOIN groups g ON g.org_id = gm.org_id AND g.id = gm.group_id
        WHERE gm.org_id = l.org_id AND gm.user_id = $9 AND g.deleted_at IS NULL))";

impl Store {
    pub async fn find_link(&self, org: OrgId, id: LinkId) -> StoreResult<Link> {
        let _timer = time_query(QueryFamily::LinkRead);
        let sql = sqlx::AssertSqlSafe(format!("{LINK_SELECT} WHERE l.org_id = $1 AND l.id = $2"));
        let row: Option<LinkRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql)
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(p)
                .await?
        });
        let row = row.ok_or(StoreError::NotFound)?;
        self.complete_links(org, vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The link answering to `name_key` in `namespace`, whether by its name or an alias.
    pub async fn find_link_by_name(
        &self,
        org: OrgId,
        namespace: Uuid,
        name_key: &str,
    ) -> StoreResult<Link> {
        let _timer = time_query(QueryFamily::LinkRead);
        let id: Option<Uuid> = on_pool!(self.read(), |p| {
            sqlx::query_scalar(
                "SELECT link_id FROM link_names WHERE org_id = $1 AND namespace = $2 AND name_key = $3",
            )
            .bind(org.as_uuid())
            .bind(namespace)
            .bind(name_key)
            .fetch_optional(p)
            .await?
        });
        self.find_link(org, LinkId::from_uuid(id.ok_or(StoreError::NotFound)?))
            .await
    }

    /// Links the viewer may see whose name, alias, destination, description or tag contains
    /// the text, most used first; with the total number of matches.
    pub async fn search_links(
        &self,
        org: OrgId,
        query: &LinkQuery,
    ) -> StoreResult<(Vec<Link>, i64)> {
        let _timer = time_query(QueryFamily::LinkRead);
        let pattern = like_pattern(&query.text);
        // A text of only `-` and `_` has no name key to look for; keys never hold `-`, so this
        // matches no key (rather than all).
        let stripped = query.text.replace(['-', '_'], "");
        let key_pattern = if stripped.trim().is_empty() && !query.text.trim().is_empty() {
            "-".to_owned()
        } else {
            like_pattern(&stripped)
        };
        let matches =
            "($3 = '%%' OR lower(l.name) LIKE $3 ESCAPE '\\' OR lower(l.url) LIKE $3 ESCAPE '\\'
            OR lower(l.description) LIKE $3 ESCAPE '\\'
            OR EXISTS (SELECT 1 FROM link_tags t WHERE t.org_id = l.org_id AND t.link_id = l.id
                       AND t.tag LIKE $3 ESCAPE '\\')
            OR EXISTS (SELECT 1 FROM link_names n WHERE n.org_id = l.org_id AND n.link_id = l.id
                       AND n.name_key LIKE $4 ESCAPE '\\'))";
        let filter = format!(
            "WHERE l.org_id = $1 AND {VISIBLE_TO_VIEWER} AND {matches} AND ($7 IS NULL OR l.owner_id = $7)
             AND ($8 IS NULL OR l.owner_group_id = $8) AND {MINE}"
        );
        let order = if query.newest_first {
            "l.created_at DESC, l.id DESC"
        } else {
            "l.clicks_total DESC, lower(l.name), l.id"
        };
        let list = sqlx::AssertSqlSafe(format!(
            "{LINK_SELECT} {filter} ORDER BY {order} LIMIT $5 OFFSET $6"
        ));
        let owner = query.owner.map(|o| o.as_uuid());
        let mine = query.mine.map(|m| m.as_uuid());
        let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM links l {filter}"));
        let viewer = query.viewer.map(|v| v.as_uuid());
        let (rows, total): (Vec<LinkRow>, i64) = on_pool!(self.read(), |p| {
            let rows = sqlx::query_as(list)
                .bind(org.as_uuid())
                .bind(viewer)
                .bind(&pattern)
                .bind(&key_pattern)
                .bind(query.limit)
                .bind(query.offset)
                .bind(owner)
                .bind(query.owner_group)
                .bind(mine)
                .fetch_all(p)
                .await?;
            let total = sqlx::query_scalar(count)
                .bind(org.as_uuid())
                .bind(viewer)
                .bind(&pattern)
                .bind(&key_pattern)
                .bind(query.limit)
                .bind(query.offset)
                .bind(owner)
                .bind(query.owner_group)
                .bind(mine)
                .fetch_one(p)
                .await?;
            (rows, total)
        });
        Ok((self.complete_links(org, rows).await?, total))
    }

    /// The link's changes, oldest first: (when, who, action, before, after).
    pub async fn link_history(&self, org: OrgId, id: LinkId) -> StoreResult<Vec<HistoryEntry>> {
        let _timer = time_query(QueryFamily::LinkRead);
        let rows: Vec<HistoryRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT at, actor_id, action, before_json, after_json FROM link_history
                     WHERE org_id = $1 AND link_id = $2 ORDER BY at, id",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(p)
            .await?
        });
        let parse = |json: Option<String>| json.and_then(|j| serde_json::from_str(&j).ok());
        Ok(rows
            .into_iter()
            .map(|r| HistoryEntry {
                at: r.at,
                actor: r.actor_id.map(UserId::from_uuid),
                action: r.action,
                before: parse(r.before_json),
                after: parse(r.after_json),
            })
            .collect())
    }

    /// Every link of the organization, for export.
    pub async fn all_links(&self, org: OrgId) -> StoreResult<Vec<Link>> {
        let _timer = time_query(QueryFamily::LinkRead);
        let sql = sqlx::AssertSqlSafe(format!(
            "{LINK_SELECT} WHERE l.org_id = $1 ORDER BY lower(l.name)"
        ));
        let rows: Vec<LinkRow> = on_pool!(self.read(), |p| {
            sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await?
        });
        self.complete_links(org, rows).await
    }

    /// Every name of every link of the organization: what the redirect index is built from.
    pub async fn link_targets(&self, org: OrgId) -> StoreResult<Vec<LinkTarget>> {
        let _timer = time_query(QueryFamily::LinkRead);
        type Row = (Uuid, Uuid, String, String, String, String, Option<Uuid>);
        let rows: Vec<Row> = on_pool!(self.read(), |p| {
            sqlx::query_as(
                "SELECT n.link_id, n.namespace, n.name_key, n.name, l.url, l.visibility,
                        l.visible_to_group_id
                 FROM link_names n JOIN links l ON l.org_id = n.org_id AND l.id = n.link_id
                 WHERE n.org_id = $1",
            )
            .bind(org.as_uuid())
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(
                |(link, namespace, name_key, name, url, visibility, visible_to)| {
                    Ok(LinkTarget {
                        link_id: LinkId::from_uuid(link),
                        namespace,
                        name_key,
                        name,
                        url,
                        visibility: parse_enum(&visibility)?,
                        visible_to,
                    })
                },
            )
            .collect()
    }

    /// Adds aliases and tags to rows read from `links`.
    async fn complete_links(&self, org: OrgId, rows: Vec<LinkRow>) -> StoreResult<Vec<Link>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let list = placeholders.join(", ");
        let names_sql = sqlx::AssertSqlSafe(format!(
            "SELECT link_id, name FROM link_names WHERE org_id = $1 AND is_alias AND link_id IN ({list}) ORDER BY name"
        ));
        let tags_sql = sqlx::AssertSqlSafe(format!(
            "SELECT link_id, tag FROM link_tags WHERE org_id = $1 AND link_id IN ({list}) ORDER BY tag"
        ));
        let (aliases, tags): (PerLink, PerLink) = on_pool!(self.read(), |p| {
            let mut names = sqlx::query_as(names_sql).bind(org.as_uuid());
            let mut tags = sqlx::query_as(tags_sql).bind(org.as_uuid());
            for id in &ids {
                names = names.bind(*id);
                tags = tags.bind(*id);
            }
            (names.fetch_all(p).await?, tags.fetch_all(p).await?)
        });
        let group = |pairs: PerLink| {
            let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
            for (id, value) in pairs {
                map.entry(id).or_default().push(value);
            }
            map
        };
        let (mut aliases, mut tags) = (group(aliases), group(tags));
        rows.into_iter()
            .map(|r| {
                let aliases = aliases.remove(&r.id).unwrap_or_default();
                let tags = tags.remove(&r.id).unwrap_or_default();
                link_from_row(r, aliases, tags)
            })
            .collect()
    }
}

fn link_from_row(r: LinkRow, aliases: Vec<String>, tags: Vec<String>) -> StoreResult<Link> {
    let owner = match (r.owner_id, r.owner_email) {
        (Some(id), Some(email)) => Some(Owner {
            id: UserId::from_uuid(id),
            email,
            display_name: r.owner_display_name,
            active: r.owner_active.unwrap_or(false),
            deleted: r.owner_deleted.unwrap_or(false),
        }),
        _ => None,
    };
    let owner_group = match (r.owner_group_id, r.owner_group_name) {
        (Some(id), Some(display_name)) => Some(OwnerGroup {
            id,
            display_name,
            active: r.owner_group_active.unwrap_or(false),
        }),
        _ => None,
    };
    let visible_to = match (r.visible_to_group_id, r.visible_to_name) {
        (Some(id), Some(display_name)) => Some(GroupRef { id, display_name }),
        _ => None,
    };
    Ok(Link {
        id: LinkId::from_uuid(r.id),
        name: r.name,
        url: r.url,
        description: r.description,
        tags,
        aliases,
        visibility: parse_enum(&r.visibility)?,
        owner,
        owner_group,
        visible_to,
        clicks_total: r.clicks_total,
        last_clicked_at: r.last_clicked_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// `%text%` for a case-insensitive LIKE, with the LIKE wildcards in `text` escaped.
pub(super) fn like_pattern(text: &str) -> String {
    super::like::pattern(&text.trim().to_lowercase(), super::like::Place::Anywhere)
}
