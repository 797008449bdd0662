-- 批量报名 (seed 000 四.1): a 单位's uploaded workbook of 焊工报名 rows, kept
-- as read until the 单位 confirms the report, when its valid rows are
-- registered together. Only the uploading 单位 (by 统一社会信用代码) sees or
-- confirms it, and only once.
CREATE TABLE weld_batches (
    id           INTEGER PRIMARY KEY,
    credit_code  TEXT NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    filename     TEXT NOT NULL,
    rows_json    TEXT NOT NULL,        -- []weldexam.BatchRow as JSON
    row_count    INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    registered   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX weld_batches_unit ON weld_batches (credit_code, id);

-- The 单位 that registered a welder in a batch, whose 工作台 follows it.
ALTER TABLE weld_registrations ADD COLUMN unit_credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE weld_registrations ADD COLUMN batch_id INTEGER REFERENCES weld_batches (id);
CREATE INDEX weld_registrations_unit ON weld_registrations (unit_credit_code, id);
