-- Settings the central team keeps as one document each (today: the synonym list for
-- search), versioned like content.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

-- Searches that found nothing, per site, for editors. Only the normalised query text is
-- kept (digits and e-mail addresses removed), with how often and when.
CREATE TABLE search_misses (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    query TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 1,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, query)
);
