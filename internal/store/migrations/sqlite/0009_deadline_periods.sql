-- A legal deadline is kept with the period it was counted over (the day the
-- period runs from, not itself counted, and its length in working days) and
-- the years counted Monday to Friday because their 国务院办公厅 notice was not
-- loaded yet (e.g. '2027'; '' once final). Such a date is shown as 暂定 and
-- counted again when an admin imports the year.
ALTER TABLE applications ADD COLUMN due_from TEXT;
ALTER TABLE applications ADD COLUMN due_workdays INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN due_assumed TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN correction_from TEXT;
ALTER TABLE applications ADD COLUMN correction_workdays INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN correction_assumed TEXT NOT NULL DEFAULT '';
CREATE INDEX applications_provisional ON applications (id) WHERE due_assumed <> '' OR correction_assumed <> '';

-- Who imported a year, from which notice; the revision counter tells every
-- instance that its cached calendar is out of date.
ALTER TABLE holiday_years ADD COLUMN source TEXT NOT NULL DEFAULT '';
INSERT INTO counters (name, value) VALUES ('holiday_years', 0) ON CONFLICT (name) DO NOTHING;

-- The message telling an applicant that a provisional deadline moved.
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('deadline_changed', '【特种设备作业人员资格认定】国务院办公厅已公布节假日安排，您的申请（申请号 {申请号}）的{期限类别}调整为{期限}。', CURRENT_TIMESTAMP);
