DROP INDEX changes_at;
DROP INDEX search_misses_last;
DROP INDEX sessions_last_seen;
DROP INDEX login_failures_at;
DROP TABLE trusted_devices;
DROP INDEX api_tokens_user;
ALTER TABLE api_tokens DROP COLUMN parent_id;
ALTER TABLE api_tokens DROP COLUMN last_used_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
