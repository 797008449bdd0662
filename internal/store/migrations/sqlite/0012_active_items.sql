-- The partial index that keeps one active application per person and item
-- is declared WHERE active, as on PostgreSQL: the query that names the
-- other application (o.active in the join) then matches the index's
-- condition and seeks in it. Declared WHERE active = 1 it matched no query,
-- and SQLite found the conflict by scanning every application.
DROP INDEX application_items_active;
CREATE UNIQUE INDEX application_items_active ON application_items (holder_id, qualification, weld_code) WHERE active;
