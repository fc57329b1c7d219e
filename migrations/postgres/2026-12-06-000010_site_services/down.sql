ALTER TABLE sites DROP COLUMN services;
