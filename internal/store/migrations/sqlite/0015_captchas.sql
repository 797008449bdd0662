-- Captchas asked after failed logins and public queries. In the database,
-- not in memory, so that the instance answering the try need not be the
-- one that drew the picture. Each is answered once.
CREATE TABLE captchas (
    id         TEXT PRIMARY KEY,     -- random, in the picture's URL
    answer     TEXT NOT NULL,        -- the digits shown; short-lived, worthless once used
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX captchas_expires ON captchas (expires_at);
