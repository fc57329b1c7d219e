-- The link checker's last run (links::run): each link's result, and where each link is
-- written, with the scope whose editors fix it (a link in central text is one use of the
-- national scope, not one per site). Both are replaced as a whole by each run.
CREATE TABLE link_checks (
    url TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    message TEXT NOT NULL,
    checked_at BIGINT NOT NULL
);
CREATE TABLE link_uses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    title TEXT NOT NULL,
    field TEXT NOT NULL
);
CREATE INDEX link_uses_scope ON link_uses (scope, url);
