-- Uploaded images. The file (re-encoded, without metadata) lives in the media storage under
-- its content hash; `key` is the stable name texts use (`/media/<key>`), kept when the file is
-- replaced. Owner: a site, a group, or neither (national).
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    name TEXT NOT NULL,
    alt TEXT NOT NULL,
    decorative BOOLEAN NOT NULL DEFAULT 0,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (group_id IS NULL OR site_id IS NULL)
);
CREATE INDEX media_group ON media (group_id);
CREATE INDEX media_site ON media (site_id);

-- Which saved items refer to which media (kept by every save, in the same transaction).
CREATE TABLE media_uses (
    media_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_key TEXT NOT NULL,
    PRIMARY KEY (media_key, kind, item_key)
);
CREATE INDEX media_uses_item ON media_uses (kind, item_key);

-- A news item's image (a media address, `/media/<key>`).
ALTER TABLE news ADD COLUMN image TEXT;
