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

/// Up to `max` existing names closest to `wanted`, best first: for the missing-link page.
pub fn nearest<'a>(
    wanted: &str,
    names: impl Iterator<Item = (&'a str, &'a str)>,
    max: usize,
) -> Vec<String> {
    // Only a valid name (at most 100 characters) is compared: a long junk path must not cost
    // an edit distance against every name.
    let Some(wanted) = LinkName::key_of(wanted).filter(|w| w.len() >= 2) else {
        return Vec::new();
    };
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|(key, display)| {
            let related = key.contains(wanted.as_str()) || (key.len() >= 3 && wanted.contains(key));
            let limit = (wanted.len().max(key.len()) / 3).max(1);
            if !related && wanted.len().abs_diff(key.len()) > limit {
                return None;
            }
            let distance = edit_distance(&wanted, key);
            (related || distance <= limit)
                .then_some((if related { distance.min(1) } else { distance }, display))
        })
        .collect();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.len().cmp(&b.1.len()))
            .then(a.1.cmp(b.1))
    });
    scored
        .into_iter()
        .take(max)
        .map(|(_, name)| name.to_owned())
        .collect()
}

/// Edit distance over bytes (names are ASCII) counting a swap of two neighbours as one edit
/// (optimal string alignment), since `dcos` for `docs` is the commonest typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let width = b.len() + 1;
    let mut d: Vec<usize> = vec![0; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests;
