-- The scope of a certificate line as printed (作业范围限定, e.g. the old S2
-- 客运索道维修 限电气维修): some 换发 rules depend on it (SOURCES.md §2, S4).
ALTER TABLE certificate_items ADD COLUMN scope TEXT NOT NULL DEFAULT '';
