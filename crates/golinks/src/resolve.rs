//! Name → destination: the one place that decides where `go/<path>` goes.
//!
//! - The first path segment is the name; it matches any spelling with the same
//!   [`LinkName::key`] (case, `-` and `_` ignored), whether the link's name or an alias.
//! - Extra segments are appended to the destination's path with exactly one `/` between
//!   them (`go/docs/setup` with `https://x/wiki` → `https://x/wiki/setup`; with
//!   `https://x/wiki/` → the same), before the destination's query and fragment.
//! - A destination with placeholders takes the extra segments into them instead: `{1}` …
//!   `{9}` are the 1st … 9th segment, `{*}` all of them joined by `/`. A missing segment
//!   fills its placeholder with nothing (`go/jira` → `https://jira/browse/`). Segments a
//!   destination with placeholders does not use are dropped.
//! - The request's query string is appended to the destination's (destination's parameters
//!   first, order preserved): `go/search?q=a` with `https://x/s?lang=en` → `?lang=en&q=a`.
//! - `mailto:` destinations take the query but no path.
//! - On a miss, trailing punctuation `.,)]}` (from a link pasted in a sentence) is dropped
//!   and the lookup tried once more.
//!
//! Path segments and queries are used as they came, still percent-encoded, so the
//! `Location` header is the destination verbatim plus what the person typed.

use crate::domain::{LinkName, PLACEHOLDERS};

/// What a path resolved to: the key that matched and the `Location` to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub target: T,
    pub location: String,
}

/// Resolves a raw request path (without the leading `/`) and query. `lookup` maps a name key
/// to a target and its destination.
pub fn resolve<'a, T>(
    path: &str,
    query: Option<&str>,
    lookup: impl Fn(&str) -> Option<(T, &'a str)>,
) -> Option<Resolved<T>> {
    let attempt = |path: &str| {
        let (name, rest) = path.split_once('/').unwrap_or((path, ""));
        let (target, destination) = lookup(&LinkName::key_of(name)?)?;
        Some(Resolved {
            target,
            location: location(destination, rest, query),
        })
    };
    attempt(path).or_else(|| {
        let trimmed = path.trim_end_matches(['.', ',', ')', ']', '}']);
        (trimmed.len() != path.len())
            .then(|| attempt(trimmed))
            .flatten()
    })
}

/// The `Location` for `destination` given the extra path `rest` and the request's query.
pub fn location(destination: &str, rest: &str, query: Option<&str>) -> String {
    let (before_fragment, fragment) = split_keep(destination, '#');
    let (base, dest_query) = split_keep(before_fragment, '?');
    let rest = rest.trim_matches('/');
    let mut out = if PLACEHOLDERS.iter().any(|p| destination.contains(p)) {
        fill_placeholders(base, rest)
    } else if rest.is_empty() || is_mailto(destination) {
        base.to_owned()
    } else if base.ends_with('/') {
        format!("{base}{rest}")
    } else {
        format!("{base}/{rest}")
    };
    let dest_query = dest_query.map(|q| {
        if PLACEHOLDERS.iter().any(|p| q.contains(p)) {
            fill_placeholders(q, rest)
        } else {
            q.to_owned()
        }
    });
    let query = query.filter(|q| !q.is_empty());
    match (dest_query.as_deref().filter(|q| !q.is_empty()), query) {
        (Some(d), Some(q)) => out.push_str(&format!("?{d}&{q}")),
        (Some(d), None) => out.push_str(&format!("?{d}")),
        (None, Some(q)) => out.push_str(&format!("?{q}")),
        (None, None) if dest_query.is_some() => out.push('?'),
        (None, None) => {}
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn is_mailto(destination: &str) -> bool {
    destination
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
}

/// Splits at the first `sep`: the part before, and the part after if `sep` was there.
fn split_keep(s: &str, sep: char) -> (&str, Option<&str>) {
    match s.split_once(sep) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn fill_placeholders(template: &str, rest: &str) -> String {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = template.replace("{*}", &segments.join("/"));
    for (i, placeholder) in PLACEHOLDERS.iter().take(9).enumerate() {
        out = out.replace(placeholder, segments.get(i).copied().unwrap_or(""));
    }
    out
}

#[cfg(test)]
mod tests;
