-- How many of an organization's change-sequence moves changed only what cached sessions hold
-- (memberships, the roles groups give), not what the link index holds. A server whose index
-- is at sequence s with n such moves, reading s' and n', reloads the organization's links only
-- when s' - s <> n' - n: a membership change then costs every server one read, not a reload.
-- A writer that only moves `change_seq` (an older binary) makes the two differ, so it still
-- gets a reload everywhere.
ALTER TABLE organizations ADD COLUMN session_bumps INTEGER NOT NULL DEFAULT 0;
