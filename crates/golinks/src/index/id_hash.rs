//! A cheap hash for maps keyed by the server's own ids (organizations, links, people):
//! UUIDv7s this process or the database generated, never a value a client chooses, so the
//! flooding resistance of the default SipHash buys nothing there and costs a few hundred
//! instructions per look-up on the redirect path. Maps keyed by client input (link names,
//! host names, session digests) keep SipHash.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's multiply-rotate step over 8-byte words (the Firefox and rustc hasher).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(u64::try_from(n).unwrap_or(u64::MAX));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;
    use crate::domain::{LinkId, OrgId};

    #[test]
    fn ids_spread_over_the_buckets() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let hashes: HashSet<u64> = (0..10_000)
            .map(|_| build.hash_one((OrgId::new(), LinkId::new())) & 0xfff)
            .collect();
        // 10,000 ids thrown at random into 4,096 buckets fill 4,096 × (1 − e^(−10000/4096))
        // ≈ 3,740 of them; a hash that ignored the ids' random bytes would fill a few.
        assert!(hashes.len() > 3_500, "{} buckets used", hashes.len());
    }
}
