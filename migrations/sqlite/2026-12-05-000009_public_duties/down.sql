DROP TABLE page_views;
DROP TABLE feedback;
ALTER TABLE upl DROP COLUMN legal;
ALTER TABLE upl DROP COLUMN sdg;
ALTER TABLE sites DROP COLUMN accessibility;
