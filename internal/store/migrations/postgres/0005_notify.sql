-- Sending the outbox: a lease so that a sender that dies mid-send has its
-- messages retried, the provider's message id, and the SMS templates an
-- admin may edit.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';

CREATE TABLE sms_templates (
    topic      TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by BIGINT
);
