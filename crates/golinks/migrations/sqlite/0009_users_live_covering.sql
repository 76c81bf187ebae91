-- `users_live` covers the queries that walk it: SQLite (3.51 bundled by sqlx) does not treat a
-- partial index as covering a column its WHERE names, so `deleted_at IS NULL` sent every
-- `totalResults` count to a scan of the whole users table (every resource read, 4 ms of the
-- 4 ms a page of 100 cost at 20,000 people) and a deep `startIndex` page to a table look-up
-- per person skipped. With `deleted_at` in the index both are index-only.
DROP INDEX users_live;
CREATE INDEX users_live ON users (org_id, id, deleted_at) WHERE deleted_at IS NULL;
