-- An application's form and the notices made from it are kept sealed
-- (internal/sealed, "v1:<key id>:<ciphertext>"), which is not JSON: the
-- form becomes text, as it is on SQLite. Nothing queries inside it. Rows
-- in clear are sealed by the service after this migration (store.Migrate).
ALTER TABLE applications ALTER COLUMN data TYPE TEXT USING data::text;
