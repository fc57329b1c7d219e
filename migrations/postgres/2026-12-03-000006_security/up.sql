-- API tokens carry an expiry and the moment they were last used; tokens made before this
-- migration expire 90 days after they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
-- A token made with another token ends when that one is revoked.
ALTER TABLE api_tokens ADD COLUMN parent_id BIGINT;
UPDATE api_tokens SET expires_at = created_at + 7776000 WHERE expires_at IS NULL;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Browsers an account signed in with before (stored as a hash of a random cookie value):
-- failed logins by strangers never slow down a sign-in from one of these.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id);

-- For the retention jobs: every table that grows with traffic is cleaned by age.
CREATE INDEX login_failures_at ON login_failures (at);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE INDEX search_misses_last ON search_misses (last_at);
CREATE INDEX changes_at ON changes (at);
