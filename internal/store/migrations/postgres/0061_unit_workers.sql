-- The 单位 a worker named as employer (by 统一社会信用代码) in their latest
-- submitted application, when they agreed that it may see their
-- certificate items and their 有效期至 (the 单位工作台). One row per worker:
-- each submission replaces it, and a submission without the agreement, or
-- naming another 单位, takes it away.
CREATE TABLE unit_workers (
    holder_id      BIGINT PRIMARY KEY REFERENCES holders (id),
    credit_code    TEXT NOT NULL,
    application_id BIGINT REFERENCES applications (id) ON DELETE SET NULL,
    agreed_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX unit_workers_credit_code ON unit_workers (credit_code);
