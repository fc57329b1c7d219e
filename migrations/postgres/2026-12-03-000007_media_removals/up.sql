-- Files of deleted or replaced media, removed from the media storage once no item stands for
-- them after a grace period (an upload of the same file may be recording its item meanwhile).
CREATE TABLE media_removals (
    hash TEXT PRIMARY KEY NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    due_at BIGINT NOT NULL
);
