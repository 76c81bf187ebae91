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
            // An empty label (only the root's can be) has none.
            first_byte: first.1[depth..shared].first().copied().unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys spelled by the paths from `at` down, with their ids; checks each node's
    /// summary of its subtree on the way.
    fn spelled(nodes: &[Node], buffer: &[u8], at: usize, prefix: &[u8]) -> Vec<(Vec<u8>, u32)> {
        let node = nodes[at];
        let start = node.label_at as usize;
        let label = &buffer[start..start + usize::from(node.label_len)];
        assert_eq!(label.first().copied().unwrap_or_default(), node.first_byte);
        let text = [prefix, label].concat();
        let mut keys = Vec::new();
        if node.term != NONE {
            keys.push((text.clone(), node.term));
        }
        for child in node.children() {
            keys.extend(spelled(nodes, buffer, child, &text));
        }
        let ids = keys.iter().map(|(_, id)| *id);
        assert_eq!(Some(node.min_id), ids.min(), "smallest id below {text:?}");
        let lengths = keys.iter().map(|(k, _)| byte(k.len()));
        assert_eq!(
            Some(node.min_len),
            lengths.clone().min(),
            "shortest below {text:?}"
        );
        assert_eq!(Some(node.max_len), lengths.max(), "longest below {text:?}");
        keys
    }

    #[test]
    fn every_key_is_spelled_once_and_every_node_sums_up_its_subtree() {
        let mut keys: Vec<&str> = vec![
            "a", "ab", "abc", "abd", "b", "link00", "link01", "link1", "linked", "x",
        ];
        keys.sort_unstable();
        let buffer = keys.concat();
        let mut offset = 0;
        let entries: Vec<(u32, &[u8], u32)> = keys
            .iter()
            // Ids against key order, so that a subtree's smallest id is not its first key's.
            .zip((0..small(keys.len())).rev())
            .map(|(key, id)| {
                let entry = (small(offset), key.as_bytes(), id);
                offset += key.len();
                entry
            })
            .collect();
        let nodes = build(&entries);
        assert!(
            nodes.len() < 2 * keys.len(),
            "compacted: {} nodes",
            nodes.len()
        );
        let mut found = spelled(&nodes, buffer.as_bytes(), 0, b"");
        found.sort_unstable();
        let expected: Vec<(Vec<u8>, u32)> =
            entries.iter().map(|(_, k, id)| (k.to_vec(), *id)).collect();
        assert_eq!(found, expected);
        for node in &nodes[1..] {
            assert!(node.label_len >= 1, "only the root has an empty label");
        }
        assert!(build(&[]).is_empty());
    }
}
