-- Every SCIM request that changed something, and every one that failed: what an IT admin
-- reads to see what the identity provider did.
CREATE TABLE provisioning_log (
    org_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id BLOB NOT NULL,                      -- UUIDv7: time-ordered
    at TEXT NOT NULL,
    token_id BLOB,                         -- NULL when no valid token was presented
    token_name TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,                    -- request path and query
    user_id BLOB,                          -- the person the request was about, when known
    user_name TEXT,
    status INTEGER NOT NULL,               -- HTTP status answered
    scim_type TEXT,                        -- RFC 7644 §3.12 scimType of an error
    detail TEXT,                           -- error detail as answered
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX provisioning_log_at ON provisioning_log (org_id, at);
CREATE INDEX provisioning_log_user ON provisioning_log (org_id, user_id, at);

-- Every email of every person, lowercase, so that an `emails.value` filter is one index look-up.
CREATE TABLE user_emails (
    org_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    value_key TEXT NOT NULL,
    PRIMARY KEY (org_id, value_key, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
-- Every write replaces a person's emails: found by person, not by a scan.
CREATE INDEX user_emails_user ON user_emails (org_id, user_id);

-- The people SCIM sees (not deleted) in id order: pages, cursor pages and totalResults are
-- index scans that never visit tombstones.
CREATE INDEX users_live ON users (org_id, id) WHERE deleted_at IS NULL;
