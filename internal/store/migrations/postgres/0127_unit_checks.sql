-- A 单位 acts as one only once an administrator has checked its 营业执照
-- against the 统一社会信用代码 and 单位名称 it registered with (审核通过):
-- until then it sees none of the workers who share their items with the
-- code and registers no welders. Accounts registered before this check
-- existed, the demo's among them, count as checked (the column default),
-- so that none of them stops working.
--
-- submitted_at is when the registration was last sent for 审核 (the
-- registration, or its correction after 审核不通过); NULL for the rows
-- older than this migration, whose created_at says it. checked_at is the
-- last decision; a refusal's reason stays after a correction, so that
-- the administrator sees what was wrong before.
ALTER TABLE units ADD COLUMN check_status TEXT NOT NULL DEFAULT 'approved' CHECK (check_status IN ('pending', 'approved', 'refused'));
ALTER TABLE units ADD COLUMN check_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN checked_by BIGINT REFERENCES users (id);
ALTER TABLE units ADD COLUMN checked_at TIMESTAMPTZ;
ALTER TABLE units ADD COLUMN submitted_at TIMESTAMPTZ;
-- The 营业执照 scan in the file store, as uploaded (name and type checked
-- from the content, package upload).
ALTER TABLE units ADD COLUMN licence_key TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN licence_name TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN licence_type TEXT NOT NULL DEFAULT '';
CREATE INDEX units_check_status ON units (check_status);

-- The 单位 is told the decision by SMS when its 联系电话 is a mobile.
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('unit_approved', '【特种设备作业人员资格认定】{单位名称}的单位账号注册已审核通过，请使用统一社会信用代码登录单位工作台。', CURRENT_TIMESTAMP),
    ('unit_refused', '【特种设备作业人员资格认定】{单位名称}的单位账号注册审核不通过，理由：{理由}。请登录单位工作台更正后重新提交。', CURRENT_TIMESTAMP);
