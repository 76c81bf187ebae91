-- What each logged SCIM request did, in words and as data, computed when it is written so
-- that reading the provisioning log derives nothing: "Deactivated Dana Quist (active true →
-- false)", and a small JSON document of the changed attributes (before and after) and the
-- members added or removed, capped in size (see provisioning::log_summary).
ALTER TABLE provisioning_log ADD COLUMN summary TEXT;
ALTER TABLE provisioning_log ADD COLUMN changes TEXT;
-- The overview's per-token aggregate: last day's counts (covering, with status) and each
-- token's newest requests (see store/provisioning_overview.rs).
CREATE INDEX provisioning_log_token ON provisioning_log (org_id, token_id, at, status);
