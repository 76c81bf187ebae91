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
//! matches only; the edit-distance walk steps onto at most [`WALK_BUDGET`] trie bytes; the prefix
//! matches come from a range of sorted words and a segment tree over it (a few `log n` steps).
//!
//! Only the `max` best are wanted, so the walk runs last and leaves every branch that cannot
//! beat the `max`-th best found so far. A branch's bound is its row's smallest cell plus what
//! the lengths still to come must cost (the subtree knows its shortest and longest key), and
//! each trie node knows its subtree's smallest id. Where many names share a stem
//! (`link00001`, `link00002`, …) that cuts the walk to the few branches that can win.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::domain::LinkName;

/// The longest typed key compared by edit distance or searched for contained names.
pub const MAX_FUZZY: usize = 64;
/// The most trie bytes one edit-distance walk steps onto (a row of at most 5 cells each).
pub const WALK_BUDGET: usize = 10_000;
/// The largest edit distance suggested.
const MAX_DISTANCE: u8 = 2;

/// The suggestion index of one organization's shared names.
#[derive(Debug, Default)]
pub struct Suggester {
    /// (key, spelling) in name order; the position is the name's id, so a smaller id ranks first.
    names: Vec<(Box<str>, Box<str>)>,
    /// The keys in key order, end to end: the trie's labels are spans of it, so the walk reads
    /// neighbouring memory rather than one allocation per name.
    sorted: String,
    /// (id, offset): the name's key from `offset` on (the whole key, then each word), sorted by
    /// that text, for prefix matches.
    words: Vec<(u32, u8)>,
    /// A segment tree over `words`: node → the position in `words` of the smallest id below it.
    best: Vec<u32>,
    /// The keys as a compacted trie, for the edit-distance walk and contained names.
    trie: Vec<trie::Node>,
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
        let sorted: String = keyed.iter().map(|(key, _)| *key).collect();
        let mut tagged: Vec<(&str, u32, u8)> = Vec::with_capacity(names.len() * 2);
        for (id, (key, spelling)) in (0..).zip(&names) {
            tagged.extend(word_offsets(key, spelling).map(|o| (&key[usize::from(o)..], id, o)));
        }
        tagged.sort_unstable();
        let words: Vec<(u32, u8)> = tagged.iter().map(|(_, id, o)| (*id, *o)).collect();
        let best = segment_tree(&words);
        let mut offset = 0;
        let trie_keys: Vec<(u32, &[u8], u32)> = keyed
            .iter()
            .map(|&(key, id)| {
                let start = ids(offset);
                offset += key.len();
                (start, key.as_bytes(), id)
            })
            .collect();
        let trie = trie::build(&trie_keys);
        Suggester {
            names,
            sorted,
            words,
            best,
            trie,
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

    /// A trie node's label.
    fn label(&self, node: &trie::Node) -> &[u8] {
        let start = node.label_at as usize;
        let end = start + usize::from(node.label_len);
        self.sorted.as_bytes().get(start..end).unwrap_or_default()
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
        if self.trie.is_empty() {
            return ids;
        }
        for start in 0..wanted.len() {
            let (rest, mut at, mut matched) = (&wanted[start..], 0, 0);
            loop {
                let node = self.trie[at];
                let label = self.label(&node);
                if !rest[matched..].starts_with(label) {
                    break;
                }
                matched += label.len();
                if node.term != trie::NONE && matched >= 3 {
                    ids.push(node.term);
                }
                match rest.get(matched).and_then(|&byte| self.child(&node, byte)) {
                    Some(child) => at = child,
                    None => break,
                }
            }
        }
        ids
    }

    /// The child of `node` whose label starts with `byte` (children come in byte order).
    fn child(&self, node: &trie::Node, byte: u8) -> Option<usize> {
        let range = node.children();
        let children = &self.trie[range.clone()];
        let at = children.partition_point(|c| c.first_byte < byte);
        children
            .get(at)
            .filter(|c| c.first_byte == byte)
            .map(|_| range.start + at)
    }

    /// Offers `best` the names within the edit distance allowed for `wanted`, scored by it.
    fn within_distance(&self, wanted: &[u8], best: &mut Best) {
        if self.trie.is_empty() {
            return;
        }
        let mut walk = Walk {
            index: self,
            wanted,
            limit: distance_limit(wanted.len(), wanted.len() + 2),
            budget: WALK_BUDGET,
            path: Vec::with_capacity(wanted.len() + 3),
            rows: Vec::with_capacity(wanted.len() + 4),
            best,
        };
        walk.rows
            .push(std::array::from_fn(|j| u8::try_from(j).unwrap_or(u8::MAX)));
        walk.start();
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
/// alignment table down each branch and leaves a branch once no key below can come within the
/// limit, or beat the `max`-th best found so far.
struct Walk<'a> {
    index: &'a Suggester,
    wanted: &'a [u8],
    limit: u8,
    budget: usize,
    /// The bytes from the root to the current node.
    path: Vec<u8>,
    /// The row of each depth on the path, the root's (depth 0) first.
    rows: Vec<Row>,
    best: &'a mut Best,
}

/// A byte no key holds: its row is the row of every byte the typed key does not have nearby.
const ELSEWHERE: u8 = 0;

/// A set of bytes.
struct Nearby([u64; 4]);

impl Nearby {
    fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte / 64)] & (1 << (byte % 64)) != 0
    }
}

impl Walk<'_> {
    /// Walks the trie from its root.
    fn start(&mut self) {
        let root = self.index.trie[0];
        if root.label_len == 0 {
            self.children(&root, 0);
            return;
        }
        let row = self.next_row(root.first_byte);
        let bound = self.bound(&row, &root);
        if self.promising(bound, root.min_id) {
            self.descend(&root, root.first_byte, &row, bound);
        }
    }

    /// Walks the rest of `node`'s label and its subtree, from `row`, the row of its first
    /// byte (`first`), whose bound `floor` the caller found promising.
    fn descend(&mut self, node: &trie::Node, first: u8, row: &Row, mut floor: u8) {
        let entry = self.path.len();
        self.path.push(first);
        self.rows.push(*row);
        let label = self.index.label(node);
        let mut whole = true;
        for &byte in label.iter().skip(1) {
            let Some(budget) = self.budget.checked_sub(1) else {
                whole = false;
                break;
            };
            self.budget = budget;
            let next = self.next_row(byte);
            floor = floor.max(self.bound(&next, node));
            if !self.promising(floor, node.min_id) {
                whole = false;
                break;
            }
            self.path.push(byte);
            self.rows.push(next);
        }
        if whole {
            let depth = self.path.len();
            let m = self.wanted.len();
            let distance = self.rows[depth][m];
            if node.term != trie::NONE && distance <= distance_limit(m, depth) {
                self.best.offer(distance, node.term);
            }
            self.children(node, floor);
        }
        self.path.truncate(entry);
        self.rows.truncate(entry + 1);
    }

    /// Walks the children of the node the path ends at, whose keys are at least `floor` from
    /// the typed key (the bound found for it: a child's own bound may be weaker). A child
    /// that cannot win even at that distance is left unread. A child whose first byte the
    /// typed key does not hold near this depth gets the same row as any other such child,
    /// computed once, and with siblings of the same key lengths the same bound (among ten
    /// digits, most children are such children).
    fn children(&mut self, node: &trie::Node, floor: u8) {
        // The row of the other bytes, and its bound for the last key lengths asked.
        let mut elsewhere: Option<(Row, (u8, u8), u8)> = None;
        let nearby = self.nearby();
        for child in node.children() {
            let child = self.index.trie[child];
            if !self.promising(floor, child.min_id) {
                continue;
            }
            let Some(budget) = self.budget.checked_sub(1) else {
                return;
            };
            self.budget = budget;
            let byte = child.first_byte;
            if nearby.contains(byte) {
                let row = self.next_row(byte);
                let bound = self.bound(&row, &child).max(floor);
                if self.promising(bound, child.min_id) {
                    self.descend(&child, byte, &row, bound);
                }
                continue;
            }
            let lengths = (child.min_len, child.max_len);
            let (row, bound) = match &mut elsewhere {
                Some((row, known, bound)) => {
                    if *known != lengths {
                        *known = lengths;
                        *bound = self.bound(row, &child).max(floor);
                    }
                    (&*row, *bound)
                }
                None => {
                    let row = self.next_row(ELSEWHERE);
                    let bound = self.bound(&row, &child).max(floor);
                    let (row, _, bound) = elsewhere.insert((row, lengths, bound));
                    (&*row, *bound)
                }
            };
            if self.promising(bound, child.min_id) {
                let row = *row;
                self.descend(&child, byte, &row, bound);
            }
        }
    }

    /// The typed bytes the next row's band compares with, or may swap with: for any other
    /// byte, the row is the same.
    fn nearby(&self) -> Nearby {
        let (i, band) = (self.path.len() + 1, usize::from(self.limit));
        let from = i.saturating_sub(band + 2);
        let to = (i + band).min(self.wanted.len());
        let mut nearby = Nearby([0; 4]);
        for &byte in self.wanted.get(from..to).unwrap_or_default() {
            nearby.0[usize::from(byte / 64)] |= 1 << (byte % 64);
        }
        nearby
    }

    /// Whether a branch whose keys are at least `bound` from the typed key and whose smallest
    /// id is `min_id` may hold a suggestion that beats the `max`-th best found so far.
    fn promising(&self, bound: u8, min_id: u32) -> bool {
        bound <= self.limit
            && match self.best.bar() {
                None => true,
                Some((score, id)) => bound < score || (bound == score && min_id < id),
            }
    }

    /// The row one byte below the end of the path.
    ///
    /// Only the band of cells within the limit of the diagonal is computed: an alignment
    /// costing at most the limit never leaves it (a step off the diagonal costs one, a swap
    /// stays on it); every other cell holds limit + 1, which stands for "more".
    fn next_row(&self, byte: u8) -> Row {
        let (w, i) = (self.wanted, self.path.len() + 1);
        let (row, above) = (&self.rows[i - 1], self.rows.get(i.wrapping_sub(2)));
        // Cells hold at most limit + 1 (3), so sums of a cell and 1 never overflow.
        let more = self.limit + 1;
        let mut next: Row = [more; MAX_FUZZY + 1];
        next[0] = u8::try_from(i).unwrap_or(u8::MAX).min(more);
        let band = usize::from(self.limit);
        // Where a swap could end: the last byte of the path, then `byte`, as the typed key's
        // `j - 1` and `j - 2`.
        let last = i.checked_sub(2).map(|k| self.path[k]);
        for j in i.saturating_sub(band).max(1)..=(i + band).min(w.len()) {
            let cost = u8::from(w[j - 1] != byte);
            let mut best = (row[j] + 1).min(next[j - 1] + 1).min(row[j - 1] + cost);
            if j > 1
                && byte == w[j - 2]
                && last == Some(w[j - 1])
                && let Some(above) = above
            {
                best = best.min(above[j - 2] + 1);
            }
            next[j] = best.min(more);
        }
        next
    }

    /// A lower bound of the distance of every key below `node` from the typed key, given the
    /// row one byte below the end of the path: every alignment of such a key passes through
    /// the row at some cell `j` (or, by a swap, through the cells diagonally before and after
    /// it, which bound it the same way), and from there costs at least the difference between
    /// the lengths still to come, `m - j` typed bytes against the key's remaining bytes, which
    /// the subtree's shortest and longest keys bound.
    fn bound(&self, row: &Row, node: &trie::Node) -> u8 {
        let (m, i) = (self.wanted.len(), self.path.len() + 1);
        let shortest = usize::from(node.min_len).saturating_sub(i);
        let longest = usize::from(node.max_len).saturating_sub(i);
        let more = self.limit + 1;
        // What the lengths still to come cost from cell `j`, at most `more` (more is more).
        let to_come = |j: usize| {
            let typed = m - j;
            let gap = shortest.saturating_sub(typed) + typed.saturating_sub(longest);
            u8::try_from(gap.min(usize::from(more))).unwrap_or(more)
        };
        let band = usize::from(self.limit);
        let (from, to) = (i.saturating_sub(band).max(1), (i + band).min(m));
        let cells = row
            .iter()
            .enumerate()
            .skip(from)
            .take((to + 1).saturating_sub(from));
        cells
            .map(|(j, cell)| cell + to_come(j))
            .fold(row[0] + to_come(0), u8::min)
            .min(more)
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
mod trie;
