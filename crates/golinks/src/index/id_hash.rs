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

    /// The multiply carries every input bit upwards only, so the low bits (which pick the
    /// bucket) are the weakest: UUIDv7s made within one millisecond differ only in their
    /// counter's bytes, and taken as they are they crowd into a few buckets (one, in the
    /// test below). MurmurHash3's 64-bit finalizer (fmix64) spreads every bit over all.
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;
    use crate::domain::{LinkId, OrgId};

    fn buckets_used(ids: impl Iterator<Item = (OrgId, LinkId)>) -> usize {
        let build = BuildHasherDefault::<IdHasher>::default();
        ids.map(|id| build.hash_one(id) & 0xfff)
            .collect::<HashSet<u64>>()
            .len()
    }

    #[test]
    fn ids_spread_over_the_buckets() {
        // 10,000 ids thrown at random into 4,096 buckets fill 4,096 × (1 − e^(−10000/4096))
        // ≈ 3,740 of them; a hash that ignored the ids' random bytes would fill a few.
        let fresh = buckets_used((0..10_000).map(|_| (OrgId::new(), LinkId::new())));
        assert!(fresh > 3_500, "{fresh} buckets used by fresh ids");
        // The worst case for UUIDv7 (RFC 9562 §6.2, method 1): every id of one millisecond,
        // told apart only by a counter that increments in bytes 6–11, as a bulk import
        // makes them. This one failed without `finish`'s rotation.
        let org = OrgId::new();
        let base = LinkId::new().as_uuid().as_u128();
        let same_millisecond = (0..10_000u128).map(|n| {
            let id = uuid::Uuid::from_u128(base.wrapping_add(n << 32));
            (org, LinkId::from_uuid(id))
        });
        let crowded = buckets_used(same_millisecond);
        assert!(
            crowded > 3_500,
            "{crowded} buckets used by one millisecond's ids"
        );
    }
}
