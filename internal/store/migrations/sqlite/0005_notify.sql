-- Sending the outbox (issue 4, Notifications: a sender drains it with
-- retries and records delivery status) and the SMS templates an admin may
-- edit.
--
-- claimed_until is a sender's lease: a message stays 'pending' while claimed
-- and any sender may claim it again once the lease has run out, so a sender
-- that dies mid-send has its messages retried. A separate 'sending' status
-- would need the status CHECK of 0002 widened, which SQLite cannot do without
-- rebuilding the table. provider_id is the gateway's message id.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';

-- One text per state change. updated_by is empty for the seeded texts
-- below, which are notify.Defaults (a test keeps the two equal). The login
-- code (topic sms_code) has no template: its wording stays in code.
CREATE TABLE sms_templates (
    topic      TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);

INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('submitted', '【特种设备作业人员资格认定】您的{事项}申请已提交，受理机构：{受理机关}。可在“办件查询”查看办理进度。', CURRENT_TIMESTAMP),
    ('correction', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）需要补正材料，请于{期限}前登录网上办事系统查看补正告知书并补正。', CURRENT_TIMESTAMP),
    ('accepted', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理。', CURRENT_TIMESTAMP),
    ('examining', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理，请及时查询考试安排并打印准考证。', CURRENT_TIMESTAMP),
    ('not_accepted', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予受理，理由：{理由}。', CURRENT_TIMESTAMP),
    ('approved', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）准予许可，请登录网上办事系统下载决定书。', CURRENT_TIMESTAMP),
    ('denied', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予许可，理由：{理由}。', CURRENT_TIMESTAMP),
    ('awaiting_collection', '【特种设备作业人员资格认定】您的证书（申请号 {申请号}）已制作完成，待领取。', CURRENT_TIMESTAMP),
    ('completed', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已办结。', CURRENT_TIMESTAMP),
    ('abandoned', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）未在补正期限{期限}前补正，视为放弃行政许可申请。', CURRENT_TIMESTAMP);
