-- 单位 accounts: employers and training bodies (DESIGN.md, 单位), one per
-- 统一社会信用代码, which is also the account's login name.
--
-- users.role gains 'unit'. SQLite cannot alter a CHECK constraint, and the
-- usual rebuild of the table is not possible here: foreign keys are on
-- (they cannot be switched off inside the migration's transaction), so
-- dropping users would cascade into sessions. Widening a CHECK is one of
-- the changes SQLite documents as safe to make by editing the stored
-- schema (ALTER TABLE, "making other kinds of table schema changes"): rows
-- that passed the old check pass the new one. RESET makes this connection
-- read the edited text again; the CREATE TABLE below changes the schema
-- version, so every other connection does too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''examiner'', ''admin'')', '''examiner'', ''admin'', ''unit'')')
    WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;

CREATE TABLE units (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    credit_code TEXT NOT NULL UNIQUE,    -- 统一社会信用代码 (GB 32100)
    name        TEXT NOT NULL,           -- 单位名称
    address     TEXT NOT NULL,           -- 单位地址
    contact     TEXT NOT NULL,           -- 联系人
    phone       TEXT NOT NULL,           -- 联系电话
    created_at  TIMESTAMP NOT NULL
);
