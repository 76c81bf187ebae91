//! `GET /Groups` and `POST /Groups/.search` (RFC 7644 §3.4.2, §3.4.3), as `list` does for
//! people: filters pushed down where they can be, index and cursor paging, projection. A
//! page's members are read in one query, and not at all when the projection leaves them out.

use scim::{AttrPath, Filter, GROUP, ScimError};
use serde_json::Value;
use uuid::Uuid;

use super::list::{ListParams, Paging};
use super::{group_pushdown, group_representation as repr, store_error};
use crate::domain::OrgId;
use crate::store::{GroupMember, GroupPageQuery, GroupRecord, Store};

pub async fn list(
    store: &Store,
    org: OrgId,
    base_url: &str,
    params: &ListParams,
) -> Result<Value, ScimError> {
    let Paging {
        filter,
        attributes,
        excluded,
        start,
        count,
        after,
    } = Paging::read(params, &GROUP)?;
    if params.sort_by.is_some() {
        // Groups come in id order; RFC 7644 §3.4.2.3 lets a provider sort as it can.
        tracing::debug!("sortBy on Groups is ignored: groups are listed in id order");
    }
    let plan = group_pushdown::plan(filter.as_ref());
    let query = GroupPageQuery {
        filter: plan.predicate,
        after: if plan.exact { after.flatten() } else { None },
        offset: if plan.exact && after.is_none() {
            start - 1
        } else {
            0
        },
        limit: plan.exact.then_some(count + i64::from(after.is_some())),
    };
    let (rows, sql_total) = store
        .list_scim_groups(org, &query)
        .await
        .map_err(store_error)?;
    let (page, total) = if plan.exact {
        (rows, sql_total)
    } else {
        evaluate(
            store,
            org,
            base_url,
            rows,
            filter.as_ref(),
            params,
            start,
            count,
        )
        .await?
    };
    let (page, next_cursor) = match after {
        Some(_) if page.len() as i64 > count => {
            let page: Vec<GroupRecord> = page.into_iter().take(count as usize).collect();
            let next = page.last().map(|g| g.id.to_string());
            (page, next)
        }
        _ => (page, None),
    };
    let resources = render(store, org, base_url, &page, (&attributes, &excluded)).await?;
    let per_page = resources.len() as u64;
    Ok(scim::list_response(
        resources,
        total.max(0) as u64,
        start as u64,
        per_page,
        next_cursor,
    ))
}

/// The page's resources, projected; their members read in one query, only if shown.
async fn render(
    store: &Store,
    org: OrgId,
    base_url: &str,
    page: &[GroupRecord],
    (attributes, excluded): (&[AttrPath], &[AttrPath]),
) -> Result<Vec<Value>, ScimError> {
    let members = if repr::shows("members", attributes, excluded) {
        Some(members_of(store, org, page).await?)
    } else {
        None
    };
    Ok(page
        .iter()
        .map(|g| {
            let mine = members.as_ref().map(|m| of_group(m, g.id));
            scim::project(
                &repr::resource(g, mine, base_url),
                attributes,
                excluded,
                &GROUP,
            )
        })
        .collect())
}

/// `Some(None)`: the first cursor page (`cursor=`); RFC 9865 §2.2.
/// The filter the store could not apply, on whole resources (members included).
#[allow(clippy::too_many_arguments)]
async fn evaluate(
    store: &Store,
    org: OrgId,
    base_url: &str,
    rows: Vec<GroupRecord>,
    filter: Option<&Filter>,
    params: &ListParams,
    start: i64,
    count: i64,
) -> Result<(Vec<GroupRecord>, i64), ScimError> {
    let members = members_of(store, org, &rows).await?;
    let matching: Vec<GroupRecord> = rows
        .into_iter()
        .filter(|g| {
            let resource = repr::resource(g, Some(of_group(&members, g.id)), base_url);
            filter.is_none_or(|f| f.matches(&resource, &GROUP))
        })
        .collect();
    let total = matching.len() as i64;
    let cursor = params
        .cursor
        .as_deref()
        .and_then(|c| Uuid::parse_str(c).ok());
    let (skip, take) = match params.cursor {
        Some(_) => (0, count + 1),
        None => (start - 1, count),
    };
    let page = matching
        .into_iter()
        .filter(|g| cursor.is_none_or(|c| g.id > c))
        .skip(skip as usize)
        .take(take as usize)
        .collect();
    Ok((page, total))
}

pub async fn members_of(
    store: &Store,
    org: OrgId,
    groups: &[GroupRecord],
) -> Result<Vec<GroupMember>, ScimError> {
    let ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    store
        .scim_group_members(org, &ids)
        .await
        .map_err(store_error)
}

/// One group's members out of a page's (sorted by group).
fn of_group(all: &[GroupMember], group: Uuid) -> &[GroupMember] {
    let start = all.partition_point(|m| m.group_id < group);
    let end = all.partition_point(|m| m.group_id <= group);
    all.get(start..end).unwrap_or_default()
}
