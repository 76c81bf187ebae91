-- Every time column in one form: UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, six fraction digits
-- (see src/store/timestamp.rs). Before, sqlx wrote RFC 3339 with as few fraction digits as a
-- value needed and with the value's own offset, so comparing and ordering the text could
-- disagree with the times (`…:05Z` sorted after `…:05.5Z`; `+02:00` shifted values by hours).
--
-- Each value is rewritten as: its date and whole seconds converted to UTC by SQLite's
-- strftime (which parses every form sqlx wrote, offsets included; offsets are whole minutes,
-- so they never touch the fraction), then its own fraction digits copied from the text and
-- padded to six. Nothing is lost but digits finer than a microsecond (sqlx wrote up to nine),
-- which are truncated as the store now truncates them and as PostgreSQL always did. A value
-- strftime cannot parse (none was ever written) is left as it is. PostgreSQL keeps
-- timestamptz, which compares as time: it has no such migration.

UPDATE organizations SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE users SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.'
        THEN substr(updated_at, 21, length(updated_at) - 20 - CASE WHEN updated_at LIKE '%Z' THEN 1
            WHEN substr(updated_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', updated_at) IS NOT NULL;
UPDATE users SET deleted_at = strftime('%Y-%m-%dT%H:%M:%S', deleted_at) || '.' || substr(CASE WHEN substr(deleted_at, 20, 1) = '.'
        THEN substr(deleted_at, 21, length(deleted_at) - 20 - CASE WHEN deleted_at LIKE '%Z' THEN 1
            WHEN substr(deleted_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', deleted_at) IS NOT NULL;
UPDATE links SET last_clicked_at = strftime('%Y-%m-%dT%H:%M:%S', last_clicked_at) || '.' || substr(CASE WHEN substr(last_clicked_at, 20, 1) = '.'
        THEN substr(last_clicked_at, 21, length(last_clicked_at) - 20 - CASE WHEN last_clicked_at LIKE '%Z' THEN 1
            WHEN substr(last_clicked_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', last_clicked_at) IS NOT NULL;
UPDATE links SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE links SET updated_at = strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.'
        THEN substr(updated_at, 21, length(updated_at) - 20 - CASE WHEN updated_at LIKE '%Z' THEN 1
            WHEN substr(updated_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', updated_at) IS NOT NULL;
UPDATE link_history SET at = strftime('%Y-%m-%dT%H:%M:%S', at) || '.' || substr(CASE WHEN substr(at, 20, 1) = '.'
        THEN substr(at, 21, length(at) - 20 - CASE WHEN at LIKE '%Z' THEN 1
            WHEN substr(at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', at) IS NOT NULL;
UPDATE scim_tokens SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE scim_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%S', last_used_at) || '.' || substr(CASE WHEN substr(last_used_at, 20, 1) = '.'
        THEN substr(last_used_at, 21, length(last_used_at) - 20 - CASE WHEN last_used_at LIKE '%Z' THEN 1
            WHEN substr(last_used_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', last_used_at) IS NOT NULL;
UPDATE scim_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S', revoked_at) || '.' || substr(CASE WHEN substr(revoked_at, 20, 1) = '.'
        THEN substr(revoked_at, 21, length(revoked_at) - 20 - CASE WHEN revoked_at LIKE '%Z' THEN 1
            WHEN substr(revoked_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', revoked_at) IS NOT NULL;
UPDATE api_tokens SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%S', last_used_at) || '.' || substr(CASE WHEN substr(last_used_at, 20, 1) = '.'
        THEN substr(last_used_at, 21, length(last_used_at) - 20 - CASE WHEN last_used_at LIKE '%Z' THEN 1
            WHEN substr(last_used_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', last_used_at) IS NOT NULL;
UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S', revoked_at) || '.' || substr(CASE WHEN substr(revoked_at, 20, 1) = '.'
        THEN substr(revoked_at, 21, length(revoked_at) - 20 - CASE WHEN revoked_at LIKE '%Z' THEN 1
            WHEN substr(revoked_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', revoked_at) IS NOT NULL;
UPDATE provisioning_log SET at = strftime('%Y-%m-%dT%H:%M:%S', at) || '.' || substr(CASE WHEN substr(at, 20, 1) = '.'
        THEN substr(at, 21, length(at) - 20 - CASE WHEN at LIKE '%Z' THEN 1
            WHEN substr(at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', at) IS NOT NULL;
UPDATE sessions SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%S', last_seen_at) || '.' || substr(CASE WHEN substr(last_seen_at, 20, 1) = '.'
        THEN substr(last_seen_at, 21, length(last_seen_at) - 20 - CASE WHEN last_seen_at LIKE '%Z' THEN 1
            WHEN substr(last_seen_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', last_seen_at) IS NOT NULL;
UPDATE sessions SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.'
        THEN substr(expires_at, 21, length(expires_at) - 20 - CASE WHEN expires_at LIKE '%Z' THEN 1
            WHEN substr(expires_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', expires_at) IS NOT NULL;
UPDATE sessions SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S', revoked_at) || '.' || substr(CASE WHEN substr(revoked_at, 20, 1) = '.'
        THEN substr(revoked_at, 21, length(revoked_at) - 20 - CASE WHEN revoked_at LIKE '%Z' THEN 1
            WHEN substr(revoked_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', revoked_at) IS NOT NULL;
UPDATE login_links SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE login_links SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.'
        THEN substr(expires_at, 21, length(expires_at) - 20 - CASE WHEN expires_at LIKE '%Z' THEN 1
            WHEN substr(expires_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', expires_at) IS NOT NULL;
UPDATE login_links SET used_at = strftime('%Y-%m-%dT%H:%M:%S', used_at) || '.' || substr(CASE WHEN substr(used_at, 20, 1) = '.'
        THEN substr(used_at, 21, length(used_at) - 20 - CASE WHEN used_at LIKE '%Z' THEN 1
            WHEN substr(used_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', used_at) IS NOT NULL;
UPDATE sso_configs SET updated_at = strftime('%Y-%m-%dT%H:%M:%S', updated_at) || '.' || substr(CASE WHEN substr(updated_at, 20, 1) = '.'
        THEN substr(updated_at, 21, length(updated_at) - 20 - CASE WHEN updated_at LIKE '%Z' THEN 1
            WHEN substr(updated_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', updated_at) IS NOT NULL;
UPDATE saml_requests SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at) || '.' || substr(CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(created_at, 21, length(created_at) - 20 - CASE WHEN created_at LIKE '%Z' THEN 1
            WHEN substr(created_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', created_at) IS NOT NULL;
UPDATE saml_requests SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.'
        THEN substr(expires_at, 21, length(expires_at) - 20 - CASE WHEN expires_at LIKE '%Z' THEN 1
            WHEN substr(expires_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', expires_at) IS NOT NULL;
UPDATE saml_requests SET used_at = strftime('%Y-%m-%dT%H:%M:%S', used_at) || '.' || substr(CASE WHEN substr(used_at, 20, 1) = '.'
        THEN substr(used_at, 21, length(used_at) - 20 - CASE WHEN used_at LIKE '%Z' THEN 1
            WHEN substr(used_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', used_at) IS NOT NULL;
UPDATE saml_assertions SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', expires_at) || '.' || substr(CASE WHEN substr(expires_at, 20, 1) = '.'
        THEN substr(expires_at, 21, length(expires_at) - 20 - CASE WHEN expires_at LIKE '%Z' THEN 1
            WHEN substr(expires_at, -6, 1) IN ('+', '-') THEN 6 ELSE 0 END) ELSE '' END
        || '000000', 1, 6) || 'Z'
    WHERE strftime('%s', expires_at) IS NOT NULL;
