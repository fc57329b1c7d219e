-- Four eyes: where a scope asks for approval (the setting approval[:group:|:site:<slug>]),
-- an editor's change waits here as a proposal until another editor of that scope approves it
-- (then it is saved as any edit is) or sends it back with a note. `scope` is national,
-- group:<slug> or site:<slug>; `kind` the kind of item (product, override, page, news,
-- alert); `target` which item (see edit::approval::Target); `document` the JSON document
-- as the admin API takes it; `based_on` the revision it was written against (none: new).
CREATE TABLE proposals (
    id BIGSERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    title TEXT NOT NULL,
    document TEXT NOT NULL,
    based_on BIGINT,
    author TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT,
    decided_by TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX proposals_state ON proposals (state, scope);
