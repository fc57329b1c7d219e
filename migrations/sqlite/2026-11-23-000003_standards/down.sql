DROP TABLE redirects;
DROP TABLE upl;
