//! The keys as a compacted trie whose nodes keep their children side by side, each with the
//! first byte of its label: the edit-distance walk computes a child's first row, and most
//! often leaves it there, from memory it has just read, instead of searching the sorted keys
//! for each child's range (at 100,000 names those binary searches and a range-minimum query
//! per child were most of a miss's cost; docs/benchmarks.md).

use std::collections::VecDeque;

/// No key ends at the node.
pub const NONE: u32 = u32::MAX;

/// One node: an edge label (bytes of the keys below it) and what its subtree holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Node {
    /// The label's offset in the buffer of sorted keys. A key is at most
    /// `LinkName::MAX_LEN` (100) bytes, so a label's length fits a byte.
    pub label_at: u32,
    /// The children: `first_child..first_child + children`.
    pub first_child: u32,
    /// The id of the key ending at the end of the label, or [`NONE`].
    pub term: u32,
    /// The smallest id below (name order: a branch whose best id cannot win is left).
    pub min_id: u32,
    pub children: u16,
    /// The label's length (at least 1, except at the root) and its first byte.
    pub label_len: u8,
    pub first_byte: u8,
    /// The shortest and longest key below (label included): a walk uses them to bound the
    /// distance of every key in the subtree by the lengths still to come.
    pub min_len: u8,
    pub max_len: u8,
}

impl Node {
    pub fn children(&self) -> std::ops::Range<usize> {
        let first = self.first_child as usize;
        first..first + usize::from(self.children)
    }
}

/// Builds the trie of `keys`, which are sorted and unique; `keys[i]` is `(offset of the key
/// in the buffer, the key, its id)`. The root is node 0.
pub fn build(keys: &[(u32, &[u8], u32)]) -> Vec<Node> {
    if keys.is_empty() {
        return Vec::new();
    }
    // Compaction keeps the nodes at most twice the keys, whatever their length.
    let mut nodes = Vec::with_capacity(keys.len().saturating_mul(2));
    nodes.push(Node::default());
    // (node, its keys, which share their first `depth` bytes): a node's children are pushed
    // together when it is filled in.
    let mut queue = VecDeque::from([(0usize, keys, 0usize)]);
    while let Some((at, keys, depth)) = queue.pop_front() {
        let first = keys[0];
        // Sorted keys: what the first and last share, all share.
        let shared = first
            .1
            .iter()
            .zip(keys[keys.len() - 1].1)
            .take_while(|(a, b)| a == b)
            .count();
        let mut node = Node {
            label_at: first.0 + small(depth),
            first_child: small(nodes.len()),
            term: NONE,
            min_id: NONE,
            label_len: byte(shared - depth),
            first_byte: first.1.get(depth).copied().unwrap_or_default(),
            min_len: u8::MAX,
            ..Node::default()
        };
        let mut rest = keys;
        if first.1.len() == shared {
            // The keys are unique, so at most one ends here, and it sorts first.
            node.term = first.2;
            node.min_id = first.2;
            node.min_len = byte(shared);
            node.max_len = node.min_len;
            rest = &keys[1..];
        }
        while let Some(&(_, key, _)) = rest.first() {
            let next = key[shared];
            let split = rest.partition_point(|k| k.1[shared] <= next);
            queue.push_back((nodes.len(), &rest[..split], shared));
            nodes.push(Node::default());
            node.children += 1;
            rest = &rest[split..];
        }
        nodes[at] = node;
    }
    // A child comes after its parent: from the last node up, each subtree is complete.
    for at in (0..nodes.len()).rev() {
        let mut node = nodes[at];
        for child in node.children() {
            let child = nodes[child];
            node.min_id = node.min_id.min(child.min_id);
            node.min_len = node.min_len.min(child.min_len);
            node.max_len = node.max_len.max(child.max_len);
        }
        nodes[at] = node;
    }
    nodes
}

fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn byte(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}
