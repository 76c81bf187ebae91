-- A day's unique people per link, kept by a trigger: the (link, day, person) rows a statement
-- inserted add their number to their day's count, once per statement. A click flush used to
-- recount every flushed link-day's people with a statement of its own, most of whose work
-- found the count unchanged (the same people follow the same links all day). Rows an insert
-- skipped on conflict (a person already counted that day) are not in its transition table.
-- The flush writes the day's row before its people.
CREATE FUNCTION link_click_users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE link_clicks_daily d SET unique_users = d.unique_users + a.people
    FROM (SELECT org_id, link_id, day, COUNT(*) AS people FROM added
          GROUP BY org_id, link_id, day) a
    WHERE d.org_id = a.org_id AND d.link_id = a.link_id AND d.day = a.day;
    RETURN NULL;
END $$;

CREATE TRIGGER link_click_users_count AFTER INSERT ON link_click_users
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION link_click_users_count();
