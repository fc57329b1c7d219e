DROP INDEX proposals_release;
ALTER TABLE proposals DROP COLUMN previous;
ALTER TABLE proposals DROP COLUMN release_id;
DROP TABLE releases;
