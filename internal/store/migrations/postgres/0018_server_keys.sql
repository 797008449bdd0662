-- Secrets the service makes for itself, one per use, generated on first
-- need and read by every instance on this database, so that a cluster
-- shares them without configuration. The HMAC key of one-time SMS codes
-- (sms_codes.code_hash) is the first. OPCERT_SECRET_KEY, when set, is used
-- instead of this table.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,     -- the use, e.g. sms_code
    secret     TEXT NOT NULL,        -- 32 random bytes, hex
    created_at TIMESTAMPTZ NOT NULL
);
