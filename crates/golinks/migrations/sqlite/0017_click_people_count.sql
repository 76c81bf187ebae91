-- A day's unique people per link, kept by a trigger: each (link, day, person) row inserted adds
-- one to its day's count. A click flush used to recount every flushed link-day's people with
-- a statement of its own, most of whose work found the count unchanged (the same people
-- follow the same links all day). An insert that conflicts (a person already counted that
-- day) inserts nothing and fires nothing. The flush writes the day's row before its people.
CREATE TRIGGER link_click_users_count AFTER INSERT ON link_click_users
BEGIN
    UPDATE link_clicks_daily SET unique_users = unique_users + 1
    WHERE org_id = NEW.org_id AND link_id = NEW.link_id AND day = NEW.day;
END;
