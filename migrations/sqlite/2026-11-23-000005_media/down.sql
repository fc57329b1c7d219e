ALTER TABLE news DROP COLUMN image;
DROP TABLE media_uses;
DROP TABLE media;
