-- Teams own links, and links visible to one group only (issue #14).
-- A link's owner is a person (owner_id) or a group (owner_group_id), never both. SQLite
-- cannot add a composite foreign key to an existing table; the group ids are checked by the
-- writes (`links::owner_group`), and groups are tombstoned, never removed, so they stay valid.
ALTER TABLE links ADD COLUMN owner_group_id BLOB
    CHECK (owner_id IS NULL OR owner_group_id IS NULL);
-- Only members of this group may follow the link; NULL: whoever its visibility allows.
ALTER TABLE links ADD COLUMN visible_to_group_id BLOB;
CREATE INDEX links_owner_group ON links (org_id, owner_group_id);
