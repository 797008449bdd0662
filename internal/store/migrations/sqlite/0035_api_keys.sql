-- Keys of the open API, issued by an admin to a verifier (an employer, an
-- inspection body). Only the SHA-256 of the secret is kept: the secret is
-- shown once, at issue, and a copy of this table lets no one call as the
-- key. A key is revoked, never deleted, so its usage stays visible.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,            -- who holds it, as the admin named them
    prefix       TEXT NOT NULL,            -- the secret's first characters, to recognise it in the list
    secret_hash  TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the secret
    per_minute   INTEGER NOT NULL CHECK (per_minute > 0),
    calls        INTEGER NOT NULL DEFAULT 0,  -- calls served
    refused      INTEGER NOT NULL DEFAULT 0,  -- calls refused over the limit
    last_used_at TIMESTAMP,
    created_by   INTEGER REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    revoked_by   INTEGER REFERENCES users (id),
    revoked_at   TIMESTAMP
);

-- Calls of a key in one minute, counted in the database so that every
-- instance behind the load balancer counts the same key against one limit.
CREATE TABLE api_key_minutes (
    key_id  INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    minute  TIMESTAMP NOT NULL,            -- the window's start
    calls   INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
);
