-- An application's form and the notices made from it are kept sealed
-- (internal/sealed, "v1:<key id>:<ciphertext>"); on SQLite the form was
-- text already. Rows in clear are sealed by the service after this
-- migration (store.Migrate).
SELECT 1;
