-- SQLite redeclares its partial index of active items WHERE active, as
-- PostgreSQL has it since 0003; nothing to change here. The file keeps the
-- two engines' migrations numbered alike.
SELECT 1;
