-- What the law asks of every municipal site (EU Single Digital Gateway, the accessibility
-- decree): the site's accessibility statement (JSON, see content::accessibility), the SDG codes
-- and legal bases of the UPL list (codes comma-separated, bases a JSON list of {label, link}),
-- residents' feedback on pages, and page views per month.
ALTER TABLE sites ADD COLUMN accessibility TEXT;
ALTER TABLE upl ADD COLUMN sdg TEXT NOT NULL DEFAULT '';
ALTER TABLE upl ADD COLUMN legal TEXT NOT NULL DEFAULT '[]';

-- One answer to "Was deze informatie nuttig?": the page's path (as residents see it), its
-- language, the answer and an optional comment. No address, cookie or identifier.
CREATE TABLE feedback (
    id BIGSERIAL PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    lang TEXT NOT NULL,
    useful BOOLEAN NOT NULL,
    comment TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_site ON feedback (site_id, created_at);

-- Page views counted in memory and added in batches: per site, month (YYYY-MM), path, device
-- type (desktop, mobile, tablet) and country (ISO 3166 code, '' when unknown).
CREATE TABLE page_views (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    path TEXT NOT NULL,
    device TEXT NOT NULL,
    country TEXT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (site_id, month, path, device, country)
);
