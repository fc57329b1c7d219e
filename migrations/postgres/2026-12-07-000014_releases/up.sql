-- Releases: a named set of changes of one scope, staged as proposals (release_id set, state
-- staged), previewed, then published together in one transaction (at once or at publish_at)
-- and undone together. `previous` keeps each item's document from before publication ('null':
-- it did not exist), for the undo.
CREATE TABLE releases (
    id BIGSERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    publish_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_by TEXT,
    published_at BIGINT,
    undone_at BIGINT
);
ALTER TABLE proposals ADD COLUMN release_id BIGINT REFERENCES releases (id) ON DELETE CASCADE;
ALTER TABLE proposals ADD COLUMN previous TEXT;
CREATE INDEX proposals_release ON proposals (release_id);
