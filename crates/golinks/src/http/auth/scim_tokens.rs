//! SCIM tokens found once, kept in memory: an identity provider presents the same token on
//! every request of a push, and each look-up was a database round trip. A remembered token is
//! trusted while two things stand still: its organization's change sequence (a revocation
//! bumps it, so every server drops what it remembers of the organization: at once on
//! PostgreSQL through `crate::change_feed`, else within a sync interval, as for sessions) and
//! this process's count of revocations (so that a revocation made through this process's
//! store is refused from the next request on).

use std::collections::HashMap;
use std::sync::RwLock;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::OrgId;
use crate::index::Index;
use crate::sessions::seq_of;
use crate::store::{Store, StoreResult};

/// A live SCIM token's holder: organization, token id and name, last use.
pub type ScimToken = (OrgId, Uuid, String, Option<OffsetDateTime>);

/// At most this many tokens are remembered (an organization has a handful).
const CAPACITY: usize = 1024;

struct Cached {
    token: ScimToken,
    seq: i64,
    revocations: u64,
}

#[derive(Default)]
pub struct ScimTokenCache {
    entries: RwLock<HashMap<Vec<u8>, Cached>>,
}

impl ScimTokenCache {
    /// The live token whose secret digests to `digest`, from memory when still trusted.
    pub async fn find(
        &self,
        store: &Store,
        index: &Index,
        digest: &[u8],
    ) -> StoreResult<Option<ScimToken>> {
        let revocations = store.scim_token_revocations();
        if let Some(cached) = self
            .entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(digest)
            .filter(|c| c.revocations == revocations && seq_of(index, c.token.0) == Some(c.seq))
        {
            return Ok(Some(cached.token.clone()));
        }
        // The sequences before the read: a revocation committed while it runs moves them
        // past what is remembered here, so the entry is dropped at the next look-up.
        let seqs: HashMap<OrgId, i64> = index.links().iter().map(|(o, l)| (*o, l.seq)).collect();
        let found = store.find_scim_token(digest).await?;
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        match &found {
            Some(token) => {
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
                let seq = seqs.get(&token.0).copied().unwrap_or(-1);
                let cached = Cached {
                    token: token.clone(),
                    seq,
                    revocations,
                };
                entries.insert(digest.to_vec(), cached);
            }
            None => {
                entries.remove(digest);
            }
        }
        Ok(found)
    }

    /// Token `id`'s last use was just written as `at`.
    pub fn touched(&self, id: Uuid, at: OffsetDateTime) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        for cached in entries.values_mut().filter(|c| c.token.1 == id) {
            cached.token.3 = Some(at);
        }
    }
}
