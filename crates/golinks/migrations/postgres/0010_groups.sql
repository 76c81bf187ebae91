-- SCIM Groups (RFC 7643 §4.2). A group is its columns (displayName, externalId); members
-- live in group_members, one row per (group, person), indexed both ways: a group's members
-- (GET, PATCH of one member without reading the rest) and a person's groups (the `groups`
-- attribute of /Users, and removing a deleted person everywhere).
CREATE TABLE groups (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id UUID NOT NULL,                      -- SCIM id
    display_name TEXT NOT NULL,            -- as sent
    display_name_key TEXT NOT NULL,        -- case-folded: displayName is caseExact false (RFC 7643 §4.2)
    external_id TEXT,                      -- identity provider's id, case-exact
    version BIGINT NOT NULL DEFAULT 1,    -- the ETag
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,                       -- tombstone, as for users
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX groups_display_name ON groups (org_id, display_name_key) WHERE deleted_at IS NULL;
CREATE INDEX groups_external_id ON groups (org_id, external_id);
CREATE INDEX groups_live ON groups (org_id, id) WHERE deleted_at IS NULL;

CREATE TABLE group_members (
    org_id UUID NOT NULL,
    group_id UUID NOT NULL,
    user_id UUID NOT NULL,
    PRIMARY KEY (org_id, group_id, user_id),
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_user ON group_members (org_id, user_id, group_id);
