-- The same shape as SQLite's (see migrations/sqlite/0009): `deleted_at` in `users_live`, so the
-- `totalResults` count and a deep `startIndex` page are index-only scans on both backends.
DROP INDEX users_live;
CREATE INDEX users_live ON users (org_id, id, deleted_at) WHERE deleted_at IS NULL;
