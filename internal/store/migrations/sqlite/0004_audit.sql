-- The hash-chained audit log. "at" is text exactly as hashed (RFC 3339 with
-- nanoseconds, UTC), so no engine's timestamp rounding can break the chain.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    before_data TEXT NOT NULL,
    after_data  TEXT NOT NULL,
    ip          TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
