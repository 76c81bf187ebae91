-- An exact count of each organization's live (not deleted) people, kept by triggers so that
-- every path that writes `users` (SCIM, the CLI, SAML sign-in, an organization's deletion)
-- keeps it right without code remembering to. An unfiltered SCIM list's `totalResults` reads
-- SUM(live) instead of counting `users_live`, a walk that grows with the directory.
--
-- Concurrency: the trigger's UPDATE locks its counter row until the transaction commits, so
-- two creates in one organization that hit the same row wait for each other's commit (WAL
-- flush included). The count is spread over 16 rows per organization, picked by the last byte
-- of the person's (random) id, so concurrent creates rarely meet on one row; a reader sums them.
CREATE TABLE live_people_counts (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    shard SMALLINT NOT NULL,
    live BIGINT NOT NULL,
    PRIMARY KEY (org_id, shard)
);

-- Every live person is counted in their own shard's row, so a decrement always finds it.
INSERT INTO live_people_counts (org_id, shard, live)
SELECT org_id, get_byte(uuid_send(id), 15) % 16, COUNT(*) FROM users
WHERE deleted_at IS NULL GROUP BY 1, 2;

CREATE FUNCTION live_people_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_org UUID;
    row_id UUID;
    delta INTEGER := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        row_org := NEW.org_id; row_id := NEW.id;
        IF NEW.deleted_at IS NULL THEN delta := 1; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        row_org := OLD.org_id; row_id := OLD.id;
        IF OLD.deleted_at IS NULL THEN delta := -1; END IF;
    ELSE
        row_org := NEW.org_id; row_id := NEW.id;
        IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN delta := -1;
        ELSIF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN delta := 1;
        END IF;
    END IF;
    IF delta > 0 THEN
        INSERT INTO live_people_counts AS c (org_id, shard, live)
        VALUES (row_org, get_byte(uuid_send(row_id), 15) % 16, delta)
        ON CONFLICT (org_id, shard) DO UPDATE SET live = c.live + EXCLUDED.live;
    ELSIF delta < 0 THEN
        -- Only an UPDATE: within an organization's deletion the cascade may have removed the
        -- row already, and an insert would point at the organization being deleted.
        UPDATE live_people_counts SET live = live + delta
        WHERE org_id = row_org AND shard = get_byte(uuid_send(row_id), 15) % 16;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER live_people_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION live_people_count();
CREATE TRIGGER live_people_update AFTER UPDATE OF deleted_at ON users
    FOR EACH ROW EXECUTE FUNCTION live_people_count();
CREATE TRIGGER live_people_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION live_people_count();
