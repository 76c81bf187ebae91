-- Signed-in browsers. The cookie holds a 256-bit random secret; only its SHA-256 is stored.
CREATE TABLE sessions (
    org_id BLOB NOT NULL,
    id BLOB NOT NULL,                      -- shown to the person (to end one of their sessions)
    token_hash BLOB NOT NULL UNIQUE,       -- SHA-256 of the cookie; looked up before the org is known
    user_id BLOB NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,            -- for the idle lifetime; written at most once a minute
    expires_at TEXT NOT NULL,              -- absolute lifetime
    revoked_at TEXT,                       -- logout, deactivation, deletion, an admin
    user_agent TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (org_id, user_id);

-- One-time sign-in links printed by `golinks login-link`: the way in before SSO exists.
CREATE TABLE login_links (
    org_id BLOB NOT NULL,
    id BLOB NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,       -- SHA-256 of the link's secret
    user_id BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,                          -- set when used: a link works once
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
