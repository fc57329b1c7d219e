-- An item's texts in a language other than Dutch, beside exactly one Dutch item (a catalogue
-- product, an override, a page or a news item) and removed with it. `group_id`/`site_id` name
-- the layer of an override, page or news item (none: the catalogue). `sections` is the JSON
-- list of a product's sections or an override's section changes; `body` a page's or news
-- item's text. `based_on_nl` is the Dutch revision translated; `based_on` (overrides) the
-- revision of the central text in this language the override was written against.
CREATE TABLE translations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT REFERENCES products (id) ON DELETE CASCADE,
    override_id BIGINT REFERENCES overrides (id) ON DELETE CASCADE,
    page_id BIGINT REFERENCES pages (id) ON DELETE CASCADE,
    news_id BIGINT REFERENCES news (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    title TEXT,
    summary TEXT,
    body TEXT NOT NULL DEFAULT '',
    sections TEXT NOT NULL DEFAULT '[]',
    based_on_nl BIGINT NOT NULL,
    based_on BIGINT,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    CHECK ((product_id IS NOT NULL) + (override_id IS NOT NULL) + (page_id IS NOT NULL) + (news_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX translations_product ON translations (product_id, lang) WHERE product_id IS NOT NULL;
CREATE UNIQUE INDEX translations_override ON translations (override_id, lang) WHERE override_id IS NOT NULL;
CREATE UNIQUE INDEX translations_page ON translations (page_id, lang) WHERE page_id IS NOT NULL;
CREATE UNIQUE INDEX translations_news ON translations (news_id, lang) WHERE news_id IS NOT NULL;
CREATE INDEX translations_group ON translations (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX translations_site ON translations (site_id) WHERE site_id IS NOT NULL;
