-- The content model of PRODUCT.md: layers (catalogue, groups, sites), their content, and the
-- change log every write appends to. Timestamps are Unix seconds (UTC); lists and maps that
-- are always read whole are JSON text.

CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '{}',
    variables TEXT NOT NULL DEFAULT '{}',
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    municipality_code TEXT,
    owms_uri TEXT,
    security_contact TEXT,
    contact TEXT NOT NULL DEFAULT '{}',
    variables TEXT NOT NULL DEFAULT '{}',
    popular TEXT NOT NULL DEFAULT '[]',
    theme_tokens TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE site_hosts (
    host TEXT PRIMARY KEY NOT NULL,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    position INTEGER NOT NULL
);
CREATE INDEX site_hosts_site ON site_hosts (site_id);

CREATE TABLE site_groups (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (site_id, group_id)
);
CREATE INDEX site_groups_group ON site_groups (group_id);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '[]',
    upl TEXT,
    themes TEXT NOT NULL DEFAULT '[]',
    life_events TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    popular BOOLEAN NOT NULL DEFAULT 0,
    variables TEXT NOT NULL DEFAULT '[]',
    sections TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    publish_at BIGINT,
    unpublish_at BIGINT,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    based_on BIGINT NOT NULL,
    enabled BOOLEAN,
    title TEXT,
    summary TEXT,
    apply_url TEXT,
    keywords TEXT NOT NULL DEFAULT '[]',
    contact TEXT,
    variables TEXT NOT NULL DEFAULT '{}',
    sections TEXT NOT NULL DEFAULT '[]',
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    CHECK ((group_id IS NULL) <> (site_id IS NULL))
);
CREATE UNIQUE INDEX overrides_group_product ON overrides (group_id, product_id) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX overrides_site_product ON overrides (site_id, product_id) WHERE site_id IS NOT NULL;
CREATE INDEX overrides_product ON overrides (product_id);

CREATE TABLE pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    weight INTEGER NOT NULL DEFAULT 0,
    publish_at BIGINT,
    unpublish_at BIGINT,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    CHECK ((group_id IS NULL) <> (site_id IS NULL))
);
CREATE UNIQUE INDEX pages_group_path ON pages (group_id, path) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX pages_site_path ON pages (site_id, path) WHERE site_id IS NOT NULL;

CREATE TABLE news (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    publish_at BIGINT,
    unpublish_at BIGINT,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    CHECK ((group_id IS NULL) <> (site_id IS NULL))
);
CREATE UNIQUE INDEX news_group_slug ON news (group_id, slug) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX news_site_slug ON news (site_id, slug) WHERE site_id IS NOT NULL;

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    starts BIGINT,
    ends BIGINT,
    status TEXT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    CHECK ((group_id IS NULL) <> (site_id IS NULL))
);
CREATE UNIQUE INDEX alerts_group_slug ON alerts (group_id, slug) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_site_slug ON alerts (site_id, slug) WHERE site_id IS NOT NULL;

-- Snapshots of every saved version of an item, as JSON in the shape of the admin API.
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    item_key TEXT NOT NULL,
    revision BIGINT NOT NULL,
    data TEXT NOT NULL,
    author TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX revisions_item ON revisions (kind, item_key, revision);

-- The change feed: one row per committed change, appended in the same transaction. Derived
-- state (page cache, search index, other processes) follows it by id.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    item_key TEXT NOT NULL,
    group_id BIGINT,
    site_id BIGINT
);
