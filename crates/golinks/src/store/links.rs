//! Link writes: names and aliases, tags and history in one transaction each, which also
//! bumps the organization's change sequence.

use crate::metrics::{QueryFamily, time_query};
use serde::Serialize;
use uuid::Uuid;

use super::link_sql::{
    ensure_names_free, first_taken_name, insert_link, insert_names_and_tags, record_history,
};
use super::orgs::bump_change_seq;
use super::{
    Link, ResultExt, SHARED_NAMESPACE, Store, StoreError, StoreResult, Timestamp, on_pool,
};
use crate::domain::{Destination, LinkId, LinkName, OrgId, UserId, Visibility};

/// The whole state of a link as a write sets it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkDraft {
    pub name: LinkName,
    pub url: Destination,
    pub description: String,
    pub tags: Vec<String>,
    pub aliases: Vec<LinkName>,
    pub visibility: Visibility,
    pub owner: Option<UserId>,
    /// The owning team; at most one of `owner` and `owner_group` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_group: Option<Uuid>,
    /// Only this group's members may follow the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_to: Option<Uuid>,
}

impl LinkDraft {
    /// Private links live in their owner's namespace; all others share one.
    pub fn namespace(&self) -> Uuid {
        match (self.visibility, self.owner) {
            (Visibility::Private, Some(owner)) => owner.as_uuid(),
            _ => SHARED_NAMESPACE,
        }
    }

    fn names(&self) -> impl Iterator<Item = (&LinkName, bool)> {
        std::iter::once((&self.name, false)).chain(self.aliases.iter().map(|a| (a, true)))
    }
}

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub skipped: Vec<String>,
}

impl Store {
    pub async fn create_link(
        &self,
        org: OrgId,
        draft: &LinkDraft,
        actor: Option<UserId>,
    ) -> StoreResult<(Link, i64)> {
        let _timer = time_query(QueryFamily::LinkWrite);
        let id = LinkId::new();
        let seq = on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            ensure_names_free!(tx, org, draft, None);
            insert_link!(tx, org, id, draft);
            record_history!(
                tx,
                org,
                id,
                actor,
                "created",
                None::<&LinkDraft>,
                Some(draft)
            );
            let seq = bump_change_seq!(tx, org);
            tx.commit().await?;
            seq
        });
        Ok((self.find_link(org, id).await?, seq))
    }

    /// Replaces the link's state with `draft`, keeping its id, clicks and creation time.
    pub async fn update_link(
        &self,
        org: OrgId,
        id: LinkId,
        before: &LinkDraft,
        draft: &LinkDraft,
        actor: Option<UserId>,
    ) -> StoreResult<(Link, i64)> {
        let _timer = time_query(QueryFamily::LinkWrite);
        let seq = on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            ensure_names_free!(tx, org, draft, Some(id));
            let updated = sqlx::query(
                "UPDATE links SET name = $3, url = $4, description = $5, owner_id = $6,
                        visibility = $7, updated_at = $8, owner_group_id = $9,
                        visible_to_group_id = $10
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(draft.name.as_str())
            .bind(draft.url.as_str())
            .bind(&draft.description)
            .bind(draft.owner.map(|o| o.as_uuid()))
            .bind(draft.visibility.as_str())
            .bind(Timestamp::now())
            .bind(draft.owner_group)
            .bind(draft.visible_to)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for table in [
                "DELETE FROM link_names WHERE org_id = $1 AND link_id = $2",
                "DELETE FROM link_tags WHERE org_id = $1 AND link_id = $2",
            ] {
                sqlx::query(table)
                    .bind(org.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            }
            insert_names_and_tags!(tx, org, id, draft);
            record_history!(tx, org, id, actor, "updated", Some(before), Some(draft));
            let seq = bump_change_seq!(tx, org);
            tx.commit().await?;
            seq
        });
        Ok((self.find_link(org, id).await?, seq))
    }

    pub async fn delete_link(
        &self,
        org: OrgId,
        id: LinkId,
        before: &LinkDraft,
        actor: Option<UserId>,
    ) -> StoreResult<i64> {
        let _timer = time_query(QueryFamily::LinkWrite);
        Ok(on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            let deleted = sqlx::query("DELETE FROM links WHERE org_id = $1 AND id = $2")
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
            if deleted.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            record_history!(
                tx,
                org,
                id,
                actor,
                "deleted",
                Some(before),
                None::<&LinkDraft>
            );
            let seq = bump_change_seq!(tx, org);
            tx.commit().await?;
            seq
        }))
    }

    /// Imports links in one transaction; a link whose name or alias is taken is skipped.
    pub async fn import_links(
        &self,
        org: OrgId,
        drafts: &[LinkDraft],
    ) -> StoreResult<ImportReport> {
        let _timer = time_query(QueryFamily::LinkWrite);
        let mut report = ImportReport::default();
        on_pool!(self.write(), |p| {
            let mut tx = p.begin().await?;
            for draft in drafts {
                let taken: Option<String> = first_taken_name!(tx, org, draft, None::<LinkId>);
                if let Some(name) = taken {
                    report
                        .skipped
                        .push(format!("{}: the name {name:?} is taken", draft.name));
                    continue;
                }
                let id = LinkId::new();
                insert_link!(tx, org, id, draft);
                record_history!(
                    tx,
                    org,
                    id,
                    None::<UserId>,
                    "imported",
                    None::<&LinkDraft>,
                    Some(draft)
                );
                report.created += 1;
            }
            bump_change_seq!(tx, org);
            tx.commit().await?;
        });
        Ok(report)
    }
}
