DROP TABLE search_misses;
DROP TABLE settings;
