-- Sessions, one-time codes, QR logins, the notification outbox and rate
-- limits: all in the database so any instance can serve any request.

CREATE UNIQUE INDEX users_applicant_holder ON users (holder_id) WHERE role = 'applicant';
CREATE UNIQUE INDEX users_applicant_mobile ON users (mobile) WHERE role = 'applicant';

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,   -- SHA-256 of the cookie value; the value itself is never stored
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL  -- absolute limit; idle limit is last_seen_at + idle timeout
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE sms_codes (
    id         INTEGER PRIMARY KEY,
    mobile     TEXT NOT NULL,
    purpose    TEXT NOT NULL,        -- register, login
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sms_codes_mobile ON sms_codes (mobile, purpose, created_at);

CREATE TABLE qr_logins (
    token_hash   TEXT PRIMARY KEY,   -- SHA-256 of the token in the QR code
    poll_hash    TEXT NOT NULL,      -- SHA-256 of the secret only the desktop that showed the code holds
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    confirmed_at TIMESTAMP,
    consumed_at  TIMESTAMP
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,   -- sms
    recipient       TEXT NOT NULL,
    body            TEXT NOT NULL,
    topic           TEXT NOT NULL,   -- what caused it: sms_code, submitted, correction …
    created_at      TIMESTAMP NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);

CREATE TABLE rate_events (
    bucket TEXT NOT NULL,            -- e.g. login:<account>, sms-ip:<address>
    at     TIMESTAMP NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events (bucket, at);
