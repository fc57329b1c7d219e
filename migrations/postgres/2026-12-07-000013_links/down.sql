DROP TABLE link_uses;
DROP TABLE link_checks;
