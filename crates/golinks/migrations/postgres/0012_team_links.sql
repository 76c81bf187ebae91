-- Teams own links, and links visible to one group only (issue #14).
-- A link's owner is a person (owner_id) or a group (owner_group_id), never both.
ALTER TABLE links
    ADD COLUMN owner_group_id UUID,
    -- Only members of this group may follow the link; NULL: whoever its visibility allows.
    ADD COLUMN visible_to_group_id UUID,
    ADD CONSTRAINT links_one_owner CHECK (owner_id IS NULL OR owner_group_id IS NULL),
    ADD CONSTRAINT links_owner_group FOREIGN KEY (org_id, owner_group_id)
        REFERENCES groups (org_id, id),
    ADD CONSTRAINT links_visible_to_group FOREIGN KEY (org_id, visible_to_group_id)
        REFERENCES groups (org_id, id);
CREATE INDEX links_owner_group ON links (org_id, owner_group_id);
