-- The change feed: every commit that moves an organization's change sequence (or creates an
-- organization) notifies channel `golinks_changes` with `<org uuid>:<seq>`, so that replicas
-- listening there reload at once instead of at their next poll. A trigger rather than a
-- NOTIFY in the application: every writer (server, `golinks links import`, `golinks org set`,
-- `golinks scim-token create`) bumps the sequence and so notifies, and PostgreSQL delivers
-- the notification only when the transaction commits (never for a rolled-back one).
CREATE FUNCTION golinks_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('golinks_changes', NEW.id::text || ':' || NEW.change_seq::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER organizations_notify_change
    AFTER INSERT OR UPDATE OF change_seq ON organizations
    FOR EACH ROW EXECUTE FUNCTION golinks_notify_change();
