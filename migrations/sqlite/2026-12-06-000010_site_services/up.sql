-- Services outside the town hall that shared texts refer to through {{ site.* }} placeholders:
-- the site's ombudsman and waste drop-off point (JSON, see content::model::Services).
ALTER TABLE sites ADD COLUMN services TEXT NOT NULL DEFAULT '{}';
