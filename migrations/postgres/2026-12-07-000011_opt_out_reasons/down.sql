ALTER TABLE overrides DROP COLUMN refer_to;
ALTER TABLE overrides DROP COLUMN reason;
