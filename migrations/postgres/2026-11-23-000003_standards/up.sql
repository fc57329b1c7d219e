-- The national product list (UPL), as last imported with `meent upl import`.
CREATE TABLE upl (
    uri TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    municipal BOOLEAN NOT NULL,
    citizens BOOLEAN NOT NULL,
    businesses BOOLEAN NOT NULL
);

-- Old URLs of a site: a path moved to a new path, or gone (to_path NULL: 410).
CREATE TABLE redirects (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    from_path TEXT NOT NULL,
    to_path TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, from_path)
);
