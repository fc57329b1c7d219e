DROP TABLE media_removals;
