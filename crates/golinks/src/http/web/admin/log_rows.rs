//! The provisioning log as an admin reads it: each row's summary and, on expanding it, the
//! attributes before and after and the members added or removed (all stored when the request
//! was logged: nothing is derived here but formatting). On top, each SCIM token's activity.

use serde_json::Value;
use time::OffsetDateTime;

use crate::http::web::when;
use crate::provisioning::token_health;
use crate::store::{LogEntry, TokenActivity};

pub(super) struct LogRow {
    pub at: String,
    pub summary: String,
    pub request: String,
    pub status: i32,
    pub person: String,
    pub token: String,
    pub outcome: String,
    pub failed: bool,
    pub attributes: Vec<AttributeChange>,
    pub added: Members,
    pub removed: Members,
}

pub(super) struct AttributeChange {
    pub name: String,
    pub before: String,
    pub after: String,
}

/// Members added or removed: how many, and the first few by name.
#[derive(Default)]
pub(super) struct Members {
    pub count: u64,
    pub names: Vec<String>,
}

impl Members {
    /// How many were not named (the log names at most a few).
    pub fn unnamed(&self) -> u64 {
        self.count.saturating_sub(self.names.len() as u64)
    }
}

/// An attribute's value as text: `—` for none.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn members(changes: &Value, count: &str, list: &str) -> Members {
    Members {
        count: changes.get(count).and_then(Value::as_u64).unwrap_or(0),
        names: changes
            .get(list)
            .and_then(Value::as_array)
            .map(|l| l.iter().map(|m| shown(m.get("name"))).collect())
            .unwrap_or_default(),
    }
}

impl From<LogEntry> for LogRow {
    fn from(e: LogEntry) -> Self {
        let request = format!("{} {}", e.method, e.path);
        let changes: Value = e
            .changes
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or(Value::Null);
        let attributes = changes
            .get("attributes")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|a| AttributeChange {
                        name: shown(a.get("attribute")),
                        before: shown(a.get("before")),
                        after: shown(a.get("after")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        LogRow {
            at: when(e.at),
            // Rows logged before summaries existed show their request.
            summary: e.summary.unwrap_or_else(|| request.clone()),
            request,
            status: e.status,
            person: e.user_name.unwrap_or_default(),
            token: e.token_name.unwrap_or_default(),
            outcome: match (e.scim_type, e.detail) {
                (Some(t), Some(d)) => format!("{t}: {d}"),
                (None, Some(d)) => d,
                _ => String::new(),
            },
            failed: e.status >= 400,
            attributes,
            added: members(&changes, "added", "added_members"),
            removed: members(&changes, "removed", "removed_members"),
        }
    }
}

pub(super) struct TokenRow {
    pub name: String,
    pub last_request: String,
    pub requests: i64,
    pub failures: i64,
    pub warnings: Vec<String>,
}

impl TokenRow {
    pub fn of(token: &TokenActivity, now: OffsetDateTime) -> Self {
        TokenRow {
            name: token.name.clone(),
            last_request: token.last_request.map_or_else(|| "never".to_owned(), when),
            requests: token.requests_24h,
            failures: token.failures_24h,
            warnings: token_health::warnings(token, now),
        }
    }
}
