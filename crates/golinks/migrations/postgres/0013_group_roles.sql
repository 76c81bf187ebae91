-- Roles from groups: everyone in the organization's admin group is an admin, everyone in
-- its moderator group at least a moderator. NULL: no group grants that role. A deleted
-- group grants nothing (its memberships are gone).
ALTER TABLE organizations ADD COLUMN admin_group_id UUID;
ALTER TABLE organizations ADD COLUMN moderator_group_id UUID;
-- users.role stays the effective role (what sessions and policy read). manual_role is the
-- role set by hand, kept once a group raised role above it; NULL: role is the role set by
-- hand (every row written before groups granted anything, and every new person).
ALTER TABLE users ADD COLUMN manual_role TEXT;
