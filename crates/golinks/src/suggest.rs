//! "Did you mean": the existing names nearest to one that does not exist, for the missing-link
//! page, found without comparing the typed name with every name of the organization (a miss
//! used to cost a scan: 5.5 ms at 10,000 names, ten times that at 100,000).
//!
//! The rule (`tests.rs` holds a brute-force version of it, which the index must agree with):
//! - only the key of a valid name of at least 2 characters is looked up;
//! - a name whose key, or one of its words, starts with the typed key scores 1. A word starts
//!   after `-`, `_` or `.`, or where a lower-case letter meets an upper-case one, in the name's
//!   spelling: `hands` finds `All-Hands` and `AllHands`;
//! - a name whose key (at least 3 characters) occurs inside the typed key scores 1: `docsetup`
//!   finds `docs`;
//! - a name within edit distance 2 (optimal string alignment: a swap of neighbours is one edit,
//!   as `dcos` for `docs`) and within a third of the longer key's length (at least 1) scores
//!   that distance;
//! - best score first, then name order (shorter spelling, then alphabetical). Clicks are not
//!   used: the only counts in memory are the few seconds not yet flushed.
//!
//! Bounds, whatever the number of names: a typed key longer than [`MAX_FUZZY`] gets prefix
//! matches only; the edit-distance walk visits at most [`WALK_BUDGET`] trie nodes; the prefix
//! matches come from a range of sorted words and a segment tree over it (a few `log n` steps).
//!
//! Only the `max` best are wanted, so the walk runs last and leaves every branch that cannot
//! beat the `max`-th best found so far: its row's minimum bounds its names' distance from
//! below and a segment tree over the trie's order gives its smallest id. Where many names
//! share a stem (`link00001`, `link00002`, …) that cuts the walk to a tenth or less.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::domain::LinkName;

/// The longest typed key compared by edit distance or searched for contained names.
pub const MAX_FUZZY: usize = 64;
/// The most trie nodes one edit-distance walk visits (each costs one row of at most 65 cells).
pub const WALK_BUDGET: usize = 10_000;
/// The largest edit distance suggested.
const MAX_DISTANCE: u8 = 2;

/// The suggestion index of one organization's shared names.
#[derive(Debug, Default)]
pub struct Suggester {
    /// (key, spelling) in name order; the position is the name's id, so a smaller id ranks first.
    names: Vec<(Box<str>, Box<str>)>,
    /// Ids sorted by key: a trie, walked for edit distance and contained names.
    by_key: Vec<u32>,
    /// The keys in that order, end to end, and each one's span in it: the walk reads
    /// neighbouring memory rather than one allocation per name.
    sorted: String,
    spans: Vec<(u32, u32)>,
    /// (id, offset): the name's key from `offset` on (the whole key, then each word), sorted by
    /// that text, for prefix matches.
    words: Vec<(u32, u8)>,
    /// A segment tree over `words`: node → the position in `words` of the smallest id below it.
    best: Vec<u32>,
    /// A segment tree over `by_key`: node → the smallest id below it (a trie node's best rank).
    first_id: Vec<u32>,
}

impl Suggester {
    /// Builds the index from (key, spelling) pairs; keys are unique.
    pub fn build<'a>(names: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut names: Vec<(Box<str>, Box<str>)> =
            names.map(|(k, d)| (Box::from(k), Box::from(d))).collect();
        names.sort_unstable_by(|a, b| (a.1.len(), &a.1, &a.0).cmp(&(b.1.len(), &b.1, &b.0)));
        // Sorting (text, id) pairs rather than ids compares without a look-up per comparison.
        let mut keyed: Vec<(&str, u32)> = (0..).zip(&names).map(|(id, n)| (&*n.0, id)).collect();
        keyed.sort_unstable();
        let by_key: Vec<u32> = keyed.iter().map(|(_, id)| *id).collect();
        let mut sorted = String::with_capacity(names.iter().map(|n| n.0.len()).sum());
        let spans = by_key
            .iter()
            .map(|id| {
                let start = ids(sorted.len());
                sorted.push_str(&names[*id as usize].0);
                (start, ids(sorted.len()))
            })
            .collect();
        let mut tagged: Vec<(&str, u32, u8)> = Vec::with_capacity(names.len() * 2);
        for (id, (key, spelling)) in (0..).zip(&names) {
            tagged.extend(word_offsets(key, spelling).map(|o| (&key[usize::from(o)..], id, o)));
        }
        tagged.sort_unstable();
        let words: Vec<(u32, u8)> = tagged.iter().map(|(_, id, o)| (*id, *o)).collect();
        let best = segment_tree(&words);
        let first_id = min_tree(&by_key);
        Suggester {
            names,
            by_key,
            sorted,
            spans,
            words,
            best,
            first_id,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Up to `max` spellings of the names nearest to `typed`, best first.
    pub fn nearest(&self, typed: &str, max: usize) -> Vec<String> {
        let Some(wanted) = LinkName::key_of(typed).filter(|w| w.len() >= 2 && max > 0) else {
            return Vec::new();
        };
        let wanted = wanted.as_bytes();
        let mut best = Best::new(max);
        for id in self.prefixed(wanted, max) {
            best.offer(u8::from(self.key(id) != wanted), id);
        }
        if wanted.len() <= MAX_FUZZY {
            for id in self.contained(wanted) {
                best.offer(1, id);
            }
            // Last: what the others found bounds the walk.
            self.within_distance(wanted, &mut best);
        }
        best.top
            .iter()
            .map(|&(_, id)| self.names[id as usize].1.to_string())
            .collect()
    }

    fn key(&self, id: u32) -> &[u8] {
        self.names[id as usize].0.as_bytes()
    }

    /// The key at position `span` of the sorted keys.
    fn sorted_key(&self, (start, end): (u32, u32)) -> &[u8] {
        self.sorted
            .as_bytes()
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn word(&self, (id, offset): (u32, u8)) -> &[u8] {
        &self.key(id)[usize::from(offset)..]
    }

    /// The `max` first names (by id) with a word starting with `wanted`: the words starting
    /// with it are one range of `words`; the segment tree gives the smallest id of a range,
    /// and each taken position splits its range in two.
    fn prefixed(&self, wanted: &[u8], max: usize) -> Vec<u32> {
        let lo = self.words.partition_point(|w| self.word(*w) < wanted);
        let hi = lo + self.words[lo..].partition_point(|w| self.word(*w).starts_with(wanted));
        let mut ranges: BinaryHeap<Reverse<(u32, usize, usize, usize)>> = BinaryHeap::new();
        let push = |ranges: &mut BinaryHeap<_>, lo: usize, hi: usize| {
            if let Some(pos) = self.smallest(lo, hi) {
                ranges.push(Reverse((self.words[pos].0, pos, lo, hi)));
            }
        };
        push(&mut ranges, lo, hi);
        let mut ids = Vec::with_capacity(max);
        // A name appears once per word, so a name seen again is skipped, not counted.
        while let Some(Reverse((id, pos, lo, hi))) = ranges.pop() {
            if !ids.contains(&id) {
                ids.push(id);
                if ids.len() == max {
                    break;
                }
            }
            push(&mut ranges, lo, pos);
            push(&mut ranges, pos + 1, hi);
        }
        ids
    }

    /// The position in `words[lo..hi]` holding the smallest id.
    fn smallest(&self, lo: usize, hi: usize) -> Option<usize> {
        let n = self.words.len();
        let (mut l, mut r) = (lo + n, hi + n);
        let mut best: Option<usize> = None;
        let better = |best: Option<usize>, node: usize| {
            let pos = self.best[node] as usize;
            match best {
                Some(b) if self.words[b].0 <= self.words[pos].0 => Some(b),
                _ => Some(pos),
            }
        };
        while l < r {
            if l & 1 == 1 {
                best = better(best, l);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                best = better(best, r);
            }
            l /= 2;
            r /= 2;
        }
        best
    }

    /// Names whose key (at least 3 characters) occurs inside `wanted`: from each start, the
    /// trie is followed along `wanted` for as long as some key does.
    fn contained(&self, wanted: &[u8]) -> Vec<u32> {
        let mut ids = Vec::new();
        for start in 0..wanted.len() {
            let (mut lo, mut hi) = (0, self.by_key.len());
            for (depth, &byte) in wanted[start..].iter().enumerate() {
                (lo, hi) = self.child(lo, hi, depth, byte);
                if lo == hi {
                    break;
                }
                if depth >= 2 && self.sorted_key(self.spans[lo]).len() == depth + 1 {
                    ids.push(self.by_key[lo]);
                }
            }
        }
        ids
    }

    /// The part of `by_key[lo..hi]` (keys sharing their first `depth` bytes) whose next byte is
    /// `byte`.
    fn child(&self, lo: usize, hi: usize, depth: usize, byte: u8) -> (usize, usize) {
        let at = |span: &(u32, u32)| self.sorted_key(*span).get(depth).copied();
        let slice = &self.spans[lo..hi];
        let start = lo + slice.partition_point(|span| at(span) < Some(byte));
        let end = lo + slice.partition_point(|span| at(span) <= Some(byte));
        (start, end)
    }

    /// Offers `best` the names within the edit distance allowed for `wanted`, scored by it.
    fn within_distance(&self, wanted: &[u8], best: &mut Best) {
        let mut walk = Walk {
            index: self,
            wanted,
            limit: distance_limit(wanted.len(), wanted.len() + 2),
            budget: WALK_BUDGET,
            path: Vec::with_capacity(wanted.len() + 3),
            best,
        };
        let first: Row = std::array::from_fn(|j| u8::try_from(j).unwrap_or(u8::MAX));
        walk.visit(0, self.by_key.len(), &first, &first);
    }

    /// The smallest id in `by_key[lo..hi]`.
    fn first_id(&self, lo: usize, hi: usize) -> u32 {
        let n = self.by_key.len();
        let (mut l, mut r) = (lo + n, hi + n);
        let mut first = u32::MAX;
        while l < r {
            if l & 1 == 1 {
                first = first.min(self.first_id[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                first = first.min(self.first_id[r]);
            }
            l /= 2;
            r /= 2;
        }
        first
    }
}

/// The best (score, id) pairs offered so far, at most `max`, one per id, best first.
struct Best {
    max: usize,
    top: Vec<(u8, u32)>,
}

impl Best {
    fn new(max: usize) -> Self {
        Best {
            max,
            top: Vec::with_capacity(max + 1),
        }
    }

    fn offer(&mut self, score: u8, id: u32) {
        if let Some(known) = self.top.iter().position(|&(_, other)| other == id) {
            if self.top[known].0 <= score {
                return;
            }
            self.top.remove(known);
        }
        let at = self.top.partition_point(|&entry| entry < (score, id));
        if at < self.max {
            self.top.insert(at, (score, id));
            self.top.truncate(self.max);
        }
    }

    /// The pair a newcomer must beat once `max` are held.
    fn bar(&self) -> Option<(u8, u32)> {
        (self.top.len() == self.max)
            .then(|| self.top.last().copied())
            .flatten()
    }
}

/// The largest distance suggested between keys of these lengths: a third of the longer one,
/// at least 1, at most 2 (`ab` is not a typo of `xy`).
pub fn distance_limit(a: usize, b: usize) -> u8 {
    u8::try_from((a.max(b) / 3).clamp(1, usize::from(MAX_DISTANCE))).unwrap_or(MAX_DISTANCE)
}

/// One row of the edit-distance table: the distance from a trie node's text to each prefix of
/// the typed key.
type Row = [u8; MAX_FUZZY + 1];

/// A depth-first walk of the trie of keys that carries the rows of the optimal string
/// alignment table down each branch and leaves a branch once no row below can come within the
/// limit.
struct Walk<'a> {
    index: &'a Suggester,
    wanted: &'a [u8],
    limit: u8,
    budget: usize,
    /// The bytes from the root to the current node.
    path: Vec<u8>,
    best: &'a mut Best,
}

impl Walk<'_> {
    /// Visits the node whose keys are `by_key[lo..hi]`; `row` is its row, `above` its parent's.
    fn visit(&mut self, mut lo: usize, hi: usize, above: &Row, row: &Row) {
        let depth = self.path.len();
        let m = self.wanted.len();
        let (Some(&id), Some(&span)) = (self.index.by_key.get(lo), self.index.spans.get(lo)) else {
            return;
        };
        if lo >= hi {
            return;
        }
        let key = self.index.sorted_key(span);
        if key.len() == depth {
            // The keys are unique, so at most one ends here, and it sorts first.
            if row[m] <= distance_limit(m, depth) {
                self.best.offer(row[m], id);
            }
            lo += 1;
        }
        while lo < hi {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            // Every key left here is longer than `depth` (the one as long sorted first), so
            // its byte at `depth` is read straight from the buffer of keys.
            let sorted = self.index.sorted.as_bytes();
            let at = |span: &(u32, u32)| sorted[span.0 as usize + depth];
            let byte = at(&self.index.spans[lo]);
            // The children come in order: this one starts at `lo`.
            let end = lo + self.index.spans[lo..hi].partition_point(|s| at(s) <= byte);
            let (next, low) = self.next_row(above, row, byte);
            // No row below has a smaller minimum (a swap reaches two rows back, but a row's
            // minimum grows by at most one per row, so the swap cannot undercut it): past
            // the limit the branch holds no suggestion, and at the bar none that beats it.
            let promising = low <= self.limit
                && match self.best.bar() {
                    None => true,
                    Some((score, id)) => {
                        low < score
                            || (low == score
                                && (self.index.by_key[lo] < id
                                    || self.index.first_id(lo, end) < id))
                    }
                };
            if promising {
                self.path.push(byte);
                self.visit(lo, end, row, &next);
                self.path.pop();
            }
            lo = end;
        }
    }

    /// The row of the child reached by `byte`, from this node's `row` and its parent's `above`.
    /// Only the band of cells within the limit of the diagonal is computed: an alignment
    /// costing at most the limit never leaves it (a step off the diagonal costs one, a swap
    /// stays on it); every other cell holds limit + 1, which stands for "more". Also returns
    /// the row's minimum.
    fn next_row(&self, above: &Row, row: &Row, byte: u8) -> (Row, u8) {
        let (w, i) = (self.wanted, self.path.len() + 1);
        let more = self.limit.saturating_add(1);
        let mut next: Row = [more; MAX_FUZZY + 1];
        next[0] = u8::try_from(i).unwrap_or(u8::MAX).min(more);
        let mut low = next[0];
        let band = usize::from(self.limit);
        for j in i.saturating_sub(band).max(1)..=(i + band).min(w.len()) {
            let cost = u8::from(w[j - 1] != byte);
            let mut best = row[j]
                .saturating_add(1)
                .min(next[j - 1].saturating_add(1))
                .min(row[j - 1].saturating_add(cost));
            let swapped = i > 1 && j > 1 && byte == w[j - 2] && self.path[i - 2] == w[j - 1];
            if swapped {
                best = best.min(above[j - 2].saturating_add(1));
            }
            next[j] = best.min(more);
            low = low.min(next[j]);
        }
        (next, low)
    }
}

fn ids(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where the key's words start: 0, and after each separator or lower→upper case change in the
/// spelling (counted in key bytes: the key drops `-` and `_`).
fn word_offsets(key: &str, spelling: &str) -> impl Iterator<Item = u8> {
    let mut offsets = vec![0u8];
    let mut in_key = 0usize;
    let mut previous: Option<char> = None;
    for c in spelling.chars() {
        let starts = previous.is_some_and(|p| {
            (matches!(p, '-' | '_' | '.') && c.is_ascii_alphanumeric())
                || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
        });
        let offset = u8::try_from(in_key)
            .ok()
            .filter(|_| starts && in_key < key.len());
        if let Some(offset) = offset.filter(|o| offsets.last() != Some(o)) {
            offsets.push(offset);
        }
        if c != '-' && c != '_' {
            in_key += c.len_utf8();
        }
        previous = Some(c);
    }
    offsets.into_iter()
}

/// A min segment tree over `ids` (leaves at `n..2n`, node `i` covers its two children).
fn min_tree(ids: &[u32]) -> Vec<u32> {
    let n = ids.len();
    let mut tree = vec![u32::MAX; 2 * n];
    tree[n..].copy_from_slice(ids);
    for node in (1..n).rev() {
        tree[node] = tree[2 * node].min(tree[2 * node + 1]);
    }
    tree
}

/// A min-by-id segment tree over `words` (leaves at `n..2n`, node `i` covers its two
/// children), stored as positions in `words`.
fn segment_tree(words: &[(u32, u8)]) -> Vec<u32> {
    let n = words.len();
    let mut tree = vec![0u32; 2 * n];
    for (pos, slot) in tree[n..].iter_mut().enumerate() {
        *slot = ids(pos);
    }
    for node in (1..n).rev() {
        let (a, b) = (tree[2 * node], tree[2 * node + 1]);
        tree[node] = if words[a as usize].0 <= words[b as usize].0 {
            a
        } else {
            b
        };
    }
    tree
}

#[cfg(test)]
mod tests;
