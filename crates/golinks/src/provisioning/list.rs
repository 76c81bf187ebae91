//! `GET /Users` and `POST /Users/.search` (RFC 7644 §3.4.2, §3.4.3): filter, sort, index
//! paging (§3.4.2.4) and cursor paging (RFC 9865), attribute projection (§3.4.2.5).

use scim::{AttrPath, Filter, Schema, ScimError, USER};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{group_representation, groups, pushdown, representation, store_error};
use crate::domain::OrgId;
use crate::store::{Store, UserOrder, UserPageQuery, UserRecord};

/// Page size when the client names none, and the most one page holds (ServiceProviderConfig
/// `filter.maxResults`).
pub const DEFAULT_COUNT: i64 = 100;
pub const MAX_COUNT: i64 = 1000;

/// Query parameters (GET) or the SearchRequest body (POST .search), names as RFC 7644 spells
/// them, compared case-insensitively by the HTTP layer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    pub attributes: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    pub excluded_attributes: Option<String>,
    pub cursor: Option<String>,
}

/// A SearchRequest gives attribute lists as JSON arrays, a query string as `a,b`.
fn comma_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|raw| match raw {
        Raw::One(s) => s,
        Raw::Many(v) => v.join(","),
    }))
}

/// `sortOrder` (RFC 7644 §3.4.2.3): ascending unless it says descending.
pub fn sort_descending(params: &ListParams) -> Result<bool, ScimError> {
    match params
        .sort_order
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("ascending") => Ok(false),
        Some("descending") => Ok(true),
        Some(other) => Err(ScimError::invalid_value(format!(
            "sortOrder is ascending or descending, not {other:?}"
        ))),
    }
}

fn sort_order(params: &ListParams) -> Result<(UserOrder, bool, Option<AttrPath>), ScimError> {
    let descending = sort_descending(params)?;
    let Some(raw) = params.sort_by.as_deref() else {
        return Ok((UserOrder::Id, descending, None));
    };
    let path = USER.normalize(&AttrPath::parse(raw)?);
    let order = match (path.attr.as_str(), path.sub_attr.as_deref()) {
        ("userName", None) => Some(UserOrder::UserName),
        ("id", None) => Some(UserOrder::Id),
        ("meta", Some("created")) => Some(UserOrder::Created),
        ("meta", Some("lastModified")) => Some(UserOrder::LastModified),
        _ => None,
    };
    Ok(match order {
        Some(order) => (order, descending, None),
        None => (UserOrder::Id, descending, Some(path)),
    })
}

/// What every list request (Users, Groups) asks for besides its order: the filter, the
/// projection and the page, read and checked in one place.
pub struct Paging {
    pub filter: Option<Filter>,
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
    /// 1-based, as `startIndex`.
    pub start: i64,
    pub count: i64,
    /// `None`: index paging; `Some(None)`: the first cursor page; `Some(Some(id))`: the page
    /// after `id` (RFC 9865).
    pub after: Option<Option<Uuid>>,
}

impl Paging {
    pub fn read(params: &ListParams, schema: &Schema) -> Result<Self, ScimError> {
        let filter = params
            .filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map(|f| Filter::parse_for(f, schema))
            .transpose()?;
        let after = match params.cursor.as_deref() {
            None => None,
            Some(_) if params.start_index.is_some() => {
                return Err(ScimError::invalid_value(
                    "use either cursor or startIndex, not both (RFC 9865 §2.2)",
                ));
            }
            Some("") => Some(None),
            Some(c) => Some(Some(Uuid::parse_str(c).map_err(|_| {
                ScimError::invalid_value(format!("invalid cursor {c:?}"))
            })?)),
        };
        if after.is_some() && params.sort_by.is_some() {
            // Our cursor is a position in id order (RFC 9865 leaves the order to the provider).
            return Err(ScimError::invalid_value(
                "sortBy cannot be combined with cursor paging",
            ));
        }
        Ok(Paging {
            filter,
            attributes: parse_paths(params.attributes.as_deref())?,
            excluded: parse_paths(params.excluded_attributes.as_deref())?,
            // RFC 7644 §3.4.2.4: a startIndex below 1 is 1, a negative count is 0.
            start: params.start_index.unwrap_or(1).max(1),
            count: params.count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_COUNT),
            after,
        })
    }
}

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
    } = Paging::read(params, &USER)?;
    let (order, descending, in_memory_sort) = sort_order(params)?;
    let plan = pushdown::plan(filter.as_ref());
    let in_sql = plan.exact && in_memory_sort.is_none();
    let query = UserPageQuery {
        filter: plan.predicate,
        order: if after.is_some() {
            UserOrder::Id
        } else {
            order
        },
        descending: descending && after.is_none(),
        // Without an exact plan the evaluator counts, so it must see everyone matching and
        // not only those after the cursor.
        after: if in_sql { after.flatten() } else { None },
        offset: if in_sql && after.is_none() {
            start - 1
        } else {
            0
        },
        limit: in_sql.then_some(count + i64::from(after.is_some())),
    };
    let (rows, sql_total) = store
        .list_scim_users(org, &query)
        .await
        .map_err(store_error)?;
    let (page, total) = if in_sql {
        (rows, sql_total)
    } else {
        let mut matching: Vec<(UserRecord, Value)> = rows
            .into_iter()
            .map(|r| {
                let v = representation::resource(&r, base_url);
                (r, v)
            })
            .filter(|(_, v)| filter.as_ref().is_none_or(|f| f.matches(v, &USER)))
            .collect();
        if let Some(path) = &in_memory_sort {
            sort_by_attribute(&mut matching, path, descending, |r| r.id);
        }
        let total = matching.len() as i64;
        let skip = if after.is_some() {
            0
        } else {
            (start - 1) as usize
        };
        let take = (count + i64::from(after.is_some())) as usize;
        let cursor = after.flatten();
        (
            matching
                .into_iter()
                .filter(|(r, _)| cursor.is_none_or(|c| r.id > c))
                .skip(skip)
                .take(take)
                .map(|(r, _)| r)
                .collect(),
            total,
        )
    };
    let (page, next_cursor) = match after {
        Some(_) if page.len() as i64 > count => {
            let page: Vec<UserRecord> = page.into_iter().take(count as usize).collect();
            let next = page.last().map(|r| r.id.to_string());
            (page, next)
        }
        _ => (page, None),
    };
    let mut groups = if group_representation::shows("groups", &attributes, &excluded) {
        groups::of_users(store, org, &page, base_url).await?
    } else {
        Default::default()
    };
    let resources: Vec<Value> = page
        .iter()
        .map(|r| {
            let mut resource = representation::resource(r, base_url);
            groups::set_groups(&mut resource, groups.remove(&r.id));
            scim::project_owned(resource, &attributes, &excluded, &USER)
        })
        .collect();
    let per_page = resources.len() as u64;
    Ok(scim::list_response(
        resources,
        total.max(0) as u64,
        start as u64,
        per_page,
        next_cursor,
    ))
}

/// An `attributes` / `excludedAttributes` list. A value filter in it (`emails[type eq
/// "work"]`, which Microsoft's SCIM validator sends) is not in RFC 7644 §3.10's grammar for
/// these lists; it is read as the attribute it filters (`emails`), the closest meaning a
/// projection can give it.
pub fn parse_paths(raw: Option<&str>) -> Result<Vec<AttrPath>, ScimError> {
    let raw = raw.map(without_value_filters);
    raw.as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(scim::parse_attribute_list)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// `emails[type eq "a,b"].value,name` → `emails.value,name`: brackets and what is inside them
/// (quoted strings included) dropped.
fn without_value_filters(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in raw.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// RFC 7644 §3.4.2.3: sorts resources by the attribute's (first) value; those without it go
/// last; ties in `id` order.
pub fn sort_by_attribute<R>(
    rows: &mut [(R, Value)],
    path: &AttrPath,
    descending: bool,
    id: impl Fn(&R) -> Uuid,
) {
    let key = |v: &Value| -> Option<String> {
        let attr = v
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&path.attr))?
            .1;
        let attr = attr.as_array().and_then(|a| a.first()).unwrap_or(attr);
        let value = match &path.sub_attr {
            Some(sub) => {
                attr.as_object()?
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(sub))?
                    .1
            }
            None => attr,
        };
        value
            .as_str()
            .map(|s| s.to_lowercase())
            .or_else(|| Some(value.to_string()))
    };
    rows.sort_by(|(ra, a), (rb, b)| {
        let (ka, kb) = (key(a), key(b));
        let ordering = match (&ka, &kb) {
            (Some(x), Some(y)) if descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        ordering.then(id(ra).cmp(&id(rb)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_filters_in_attribute_lists_read_as_their_attribute() {
        assert_eq!(without_value_filters("emails[type eq \"work\"]"), "emails");
        assert_eq!(
            without_value_filters("emails[type eq \"a]\\\"b\"].value,name"),
            "emails.value,name"
        );
        let paths = parse_paths(Some("emails[type eq \"work\"],userName")).expect("paths");
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].attr, "emails");
    }
}
