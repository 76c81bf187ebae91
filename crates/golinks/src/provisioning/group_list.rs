//! `GET /Groups` and `POST /Groups/.search` (RFC 7644 §3.4.2, §3.4.3), as `list` does for
//! people: filters and sorts pushed down where they can be, index and cursor paging,
//! projection. A page's members are read in one query, and not at all when the projection
//! leaves them out.

use scim::{AttrPath, GROUP, ScimError};
use serde_json::Value;
use uuid::Uuid;

use super::list::{ListParams, Paging, sort_by_attribute, sort_descending};
use super::{group_pushdown, group_representation as repr, store_error};
use crate::domain::OrgId;
use crate::store::{GroupMember, GroupOrder, GroupPageQuery, GroupRecord, Store};

pub async fn list(
    store: &Store,
    org: OrgId,
    base_url: &str,
    params: &ListParams,
) -> Result<Value, ScimError> {
    let paging = Paging::read(params, &GROUP)?;
    let sort = sort_order(params)?;
    let plan = group_pushdown::plan(paging.filter.as_ref());
    let in_sql = plan.exact && sort.in_memory.is_none();
    let after = paging.after;
    let query = GroupPageQuery {
        filter: plan.predicate,
        // A cursor is a position in id order (`Paging::read` refuses sortBy with it).
        order: sort.order,
        descending: sort.descending && after.is_none(),
        after: if in_sql { after.flatten() } else { None },
        offset: if in_sql && after.is_none() {
            paging.start - 1
        } else {
            0
        },
        limit: in_sql.then_some(paging.count + i64::from(after.is_some())),
    };
    let (rows, sql_total) = store
        .list_scim_groups(org, &query)
        .await
        .map_err(store_error)?;
    let (page, total) = if in_sql {
        (rows, sql_total)
    } else {
        evaluate(store, org, base_url, rows, &paging, &sort).await?
    };
    let count = paging.count;
    let (page, next_cursor) = match after {
        Some(_) if page.len() as i64 > count => {
            let page: Vec<GroupRecord> = page.into_iter().take(count as usize).collect();
            let next = page.last().map(|g| g.id.to_string());
            (page, next)
        }
        _ => (page, None),
    };
    let projection = (&paging.attributes[..], &paging.excluded[..]);
    let resources = render(store, org, base_url, &page, projection).await?;
    let per_page = resources.len() as u64;
    Ok(scim::list_response(
        resources,
        total.max(0) as u64,
        paging.start as u64,
        per_page,
        next_cursor,
    ))
}

/// The order a list asks for (RFC 7644 §3.4.2.3): by a column in SQL, or, for an attribute
/// that is no column (`members.value`, one the schema lacks), by the resources in memory, as
/// the Users list does.
struct Sort {
    order: GroupOrder,
    descending: bool,
    in_memory: Option<AttrPath>,
}

fn sort_order(params: &ListParams) -> Result<Sort, ScimError> {
    let descending = sort_descending(params)?;
    let Some(raw) = params.sort_by.as_deref() else {
        return Ok(Sort {
            order: GroupOrder::Id,
            descending,
            in_memory: None,
        });
    };
    let path = GROUP.normalize(&AttrPath::parse(raw)?);
    let order = match (
        path.urn.as_deref(),
        path.attr.as_str(),
        path.sub_attr.as_deref(),
    ) {
        (None, "displayName", None) => Some(GroupOrder::DisplayName),
        (None, "id", None) => Some(GroupOrder::Id),
        (None, "externalId", None) => Some(GroupOrder::ExternalId),
        (None, "meta", Some("created")) => Some(GroupOrder::Created),
        (None, "meta", Some("lastModified")) => Some(GroupOrder::LastModified),
        _ => None,
    };
    Ok(match order {
        Some(order) => Sort {
            order,
            descending,
            in_memory: None,
        },
        None => Sort {
            order: GroupOrder::Id,
            descending,
            in_memory: Some(path),
        },
    })
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

/// The filter the store could not apply and the sort it could not make, on whole resources
/// (members included); then the page.
async fn evaluate(
    store: &Store,
    org: OrgId,
    base_url: &str,
    rows: Vec<GroupRecord>,
    paging: &Paging,
    sort: &Sort,
) -> Result<(Vec<GroupRecord>, i64), ScimError> {
    let members = members_of(store, org, &rows).await?;
    let mut matching: Vec<(GroupRecord, Value)> = rows
        .into_iter()
        .map(|g| {
            let resource = repr::resource(&g, Some(of_group(&members, g.id)), base_url);
            (g, resource)
        })
        .filter(|(_, resource)| {
            paging
                .filter
                .as_ref()
                .is_none_or(|f| f.matches(resource, &GROUP))
        })
        .collect();
    if let Some(path) = &sort.in_memory {
        sort_by_attribute(&mut matching, path, sort.descending, |g| g.id);
    }
    let total = matching.len() as i64;
    // `Some(None)`: the first cursor page (`cursor=`); RFC 9865 §2.2.
    let cursor = paging.after.flatten();
    let (skip, take) = match paging.after {
        Some(_) => (0, paging.count + 1),
        None => (paging.start - 1, paging.count),
    };
    let page = matching
        .into_iter()
        .map(|(g, _)| g)
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
