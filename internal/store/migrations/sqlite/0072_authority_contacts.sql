-- How the public reaches each 受理机关's window, kept by an admin on the
-- web; the revision counter tells every instance that its cached list of
-- authorities is out of date.
ALTER TABLE authorities ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE authorities ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE authorities ADD COLUMN hours TEXT NOT NULL DEFAULT '';
INSERT INTO counters (name, value) VALUES ('authorities', 0) ON CONFLICT (name) DO NOTHING;
