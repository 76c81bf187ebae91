-- golinks schema, PostgreSQL dialect (the same tables as migrations/sqlite, native types).
-- Every table carries org_id and every key and index starts with it, so no query can reach
-- another organization's rows; foreign keys include org_id so a row can only point inside
-- its own organization.

-- Tenants. A fresh database gets one, 'default', which serves every host no other claims.
CREATE TABLE organizations (
    id UUID PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,            -- short name used by the CLI (--org default)
    name TEXT NOT NULL,                   -- display name
    is_default BOOLEAN NOT NULL DEFAULT FALSE, -- serves hosts that no organization claims
    anonymous_resolution BOOLEAN NOT NULL DEFAULT FALSE, -- follow company links without sign-in
    change_seq BIGINT NOT NULL DEFAULT 0, -- bumped by every write that in-memory caches follow
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX organizations_one_default ON organizations (is_default) WHERE is_default;

-- Host names an organization is reached by (go, go.acme.example); lowercase, no port.
-- Looked up by host alone, before the organization is known.
CREATE TABLE org_hosts (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    host TEXT NOT NULL PRIMARY KEY
);
CREATE INDEX org_hosts_org ON org_hosts (org_id);

-- People. The columns the directory and SCIM filters use are real columns; the rest of the
-- SCIM resource lives in `resource` (JSON text).
CREATE TABLE users (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id UUID NOT NULL,                      -- SCIM id
    user_name TEXT NOT NULL,               -- as sent (primary work email)
    user_name_key TEXT NOT NULL,           -- lowercase: userName is case-insensitive (RFC 7643 §4.1.1)
    external_id TEXT,                      -- identity provider's id
    active BOOLEAN NOT NULL DEFAULT TRUE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'moderator', 'member')),
    display_name TEXT,
    given_name TEXT,
    family_name TEXT,
    email TEXT,                            -- primary work email as sent
    email_key TEXT,                        -- lowercase
    department TEXT,
    title TEXT,
    resource TEXT NOT NULL DEFAULT '{}',   -- full SCIM resource (JSON)
    version BIGINT NOT NULL DEFAULT 1,    -- the ETag
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,                       -- tombstone: SCIM DELETE keeps the row for links
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX users_user_name ON users (org_id, user_name_key) WHERE deleted_at IS NULL;
CREATE INDEX users_external_id ON users (org_id, external_id);
CREATE INDEX users_email ON users (org_id, email_key);

-- Go links. Names (the primary one and aliases) live in link_names.
CREATE TABLE links (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    name TEXT NOT NULL,                    -- primary name, display spelling
    url TEXT NOT NULL,                     -- destination, sent in Location verbatim
    description TEXT NOT NULL DEFAULT '',
    owner_id UUID,                         -- NULL for imported links without a known owner
    visibility TEXT NOT NULL DEFAULT 'company'
        CHECK (visibility IN ('company', 'unlisted', 'private', 'public')),
    clicks_total BIGINT NOT NULL DEFAULT 0, -- all-time clicks (sum of link_clicks_daily)
    last_clicked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
CREATE INDEX links_owner ON links (org_id, owner_id);
CREATE INDEX links_popular ON links (org_id, clicks_total);
CREATE INDEX links_recent ON links (org_id, created_at);

-- Every name a link answers to. One table for names and aliases so that one unique key
-- keeps them apart. namespace is the nil UUID for shared links and the owner's id for
-- private ones (each person has a namespace of their own at /my/<name>).
CREATE TABLE link_names (
    org_id UUID NOT NULL,
    namespace UUID NOT NULL,
    name_key TEXT NOT NULL,                -- LinkName::key()
    name TEXT NOT NULL,                    -- display spelling
    link_id UUID NOT NULL,
    is_alias BOOLEAN NOT NULL,
    PRIMARY KEY (org_id, namespace, name_key),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id) ON DELETE CASCADE
);
CREATE INDEX link_names_link ON link_names (org_id, link_id);

CREATE TABLE link_tags (
    org_id UUID NOT NULL,
    link_id UUID NOT NULL,
    tag TEXT NOT NULL,                     -- lowercase
    PRIMARY KEY (org_id, link_id, tag),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id) ON DELETE CASCADE
);
CREATE INDEX link_tags_tag ON link_tags (org_id, tag);

-- Every change to a link: who, when, before and after (JSON). Kept after the link is deleted.
CREATE TABLE link_history (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id UUID NOT NULL,                      -- UUIDv7: time-ordered
    link_id UUID NOT NULL,
    actor_id UUID,                         -- NULL for the CLI and imports
    action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'imported')),
    before_json TEXT,                         -- JSON snapshot, NULL on create
    after_json TEXT,                          -- JSON snapshot, NULL on delete
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX link_history_link ON link_history (org_id, link_id, at);

-- Clicks per link per UTC day, flushed in batches from memory.
CREATE TABLE link_clicks_daily (
    org_id UUID NOT NULL,
    link_id UUID NOT NULL,
    day DATE NOT NULL,                     -- UTC
    clicks BIGINT NOT NULL DEFAULT 0,
    unique_users BIGINT NOT NULL DEFAULT 0, -- signed-in people who followed it that day
    PRIMARY KEY (org_id, link_id, day),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id) ON DELETE CASCADE
);

-- Who followed a link on a day, to count unique people.
CREATE TABLE link_click_users (
    org_id UUID NOT NULL,
    link_id UUID NOT NULL,
    day DATE NOT NULL,
    user_id UUID NOT NULL,
    PRIMARY KEY (org_id, link_id, day, user_id),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id) ON DELETE CASCADE
);

-- Tokens for identity providers' SCIM clients. Looked up by digest before the
-- organization is known, hence the digest's own unique index.
CREATE TABLE scim_tokens (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,       -- SHA-256 of the secret; the secret is never stored
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (org_id, id)
);

-- People's personal tokens for the JSON API.
CREATE TABLE api_tokens (
    org_id UUID NOT NULL,
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,       -- SHA-256 of the secret
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user ON api_tokens (org_id, user_id);
