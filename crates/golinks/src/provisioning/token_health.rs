//! Warnings about an identity provider's SCIM token on the provisioning log's overview.
//!
//! Silence: identity providers push on a cycle (Entra ID about every 40 minutes, Okta on each
//! change), so a token that was pushing and stops usually means a broken provisioning job.
//! The cycle is not configured anywhere; it is estimated as the median gap between the
//! token's recent logged requests (the median, so that one burst or one pause does not move
//! it), and the token is called silent when its last request is older than twice that and
//! at least [`SILENCE_FLOOR`]: the floor keeps a token whose requests came in a burst
//! seconds apart from being called silent a few seconds later, and sits above Entra ID's
//! 40-minute cycle. A token needs two requests to have a gap: one that never pushed is not
//! silent. (An identity provider with nothing to change may legitimately send nothing; the
//! warning says how long it has been quiet, the admin judges.)
//!
//! Failing: more than half of its recent requests failed.

use time::{Duration, OffsetDateTime};

use crate::store::TokenActivity;

pub const SILENCE_FLOOR: Duration = Duration::minutes(45);

/// The token's warnings as of `now`, in words, for an admin.
pub fn warnings(token: &TokenActivity, now: OffsetDateTime) -> Vec<String> {
    let mut found = Vec::new();
    if let (Some(last), Some(cycle)) = (token.last_request, cycle(token)) {
        let quiet = now - last;
        let limit: Duration = std::cmp::max(cycle * 2, SILENCE_FLOOR);
        if quiet > limit {
            found.push(format!(
                "Silent for {}: it usually sends a request every {}",
                span(quiet),
                span(cycle)
            ));
        }
    }
    let failed = token.recent.iter().filter(|(_, failed)| *failed).count();
    if failed * 2 > token.recent.len() {
        found.push(format!(
            "{failed} of its last {} requests failed",
            token.recent.len()
        ));
    }
    found
}

/// The median gap between the token's recent requests.
fn cycle(token: &TokenActivity) -> Option<Duration> {
    let mut gaps: Vec<Duration> = token
        .recent
        .windows(2)
        .map(|pair| (pair[0].0 - pair[1].0).abs())
        .collect();
    gaps.sort();
    gaps.get(gaps.len() / 2).copied()
}

/// "3 h 5 min", "12 min", "40 s".
pub fn span(d: Duration) -> String {
    let minutes = d.whole_minutes();
    match (d.whole_hours(), minutes % 60) {
        (0, 0) => format!("{} s", d.whole_seconds()),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(minutes_ago: &[i64], failed: usize) -> TokenActivity {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        TokenActivity {
            id: uuid::Uuid::nil(),
            name: "entra".into(),
            last_request: minutes_ago.first().map(|m| now - Duration::minutes(*m)),
            requests_24h: 0,
            failures_24h: 0,
            recent: minutes_ago
                .iter()
                .enumerate()
                .map(|(i, m)| (now - Duration::minutes(*m), i < failed))
                .collect(),
        }
    }

    #[test]
    fn silence_is_measured_against_twice_the_median_gap_and_the_floor() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        assert!(
            warnings(&token(&[60, 100, 140], 0), now).is_empty(),
            "within 2 × 40 min"
        );
        assert_eq!(warnings(&token(&[90, 130, 170], 0), now).len(), 1);
        assert!(
            warnings(&token(&[30, 31, 32], 0), now).is_empty(),
            "under the floor"
        );
        assert!(
            warnings(&token(&[600], 0), now).is_empty(),
            "one request has no cycle"
        );
        assert_eq!(
            warnings(&token(&[1, 2, 3], 2), now).len(),
            1,
            "2 of 3 failed"
        );
        assert!(
            warnings(&token(&[1, 2], 1), now).is_empty(),
            "half is not most"
        );
    }
}
