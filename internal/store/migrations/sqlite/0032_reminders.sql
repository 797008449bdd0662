-- Reminders sent once each, whichever instance runs the job and however
-- often: the primary key refuses a second row, and the SMS is queued in the
-- same transaction as the row. An item's reminders are keyed by the holder,
-- the item and its 有效期至, so a re-import does not send them again and a
-- renewed item (a new 有效期至) is reminded afresh.
CREATE TABLE expiry_reminders (
    holder_id   INTEGER NOT NULL REFERENCES holders (id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    weld_code   TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('3m', '1m')),
    sent_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (holder_id, item, weld_code, valid_until, kind)
);
CREATE TABLE draft_reminders (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    expires_on     TEXT NOT NULL,
    sent_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, expires_on)
);
CREATE INDEX certificate_items_expiring ON certificate_items (valid_until) WHERE status = 'valid';
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('expiry_reminder', '【特种设备作业人员资格认定】您的{项目}证书项目将于{有效期至}到期。需继续从事该作业的，请在到期前登录网上办事系统申请复审。', CURRENT_TIMESTAMP),
    ('draft_expiring', '【特种设备作业人员资格认定】您暂存的{事项}申请尚未提交，将于{期限}按规定删除。如需办理，请在此之前登录网上办事系统提交。', CURRENT_TIMESTAMP);
