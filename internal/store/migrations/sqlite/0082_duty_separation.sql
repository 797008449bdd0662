-- A bureau may separate 受理, 审核 and 批准 among its officers (the admin
-- sets it per 受理机关, application.Duties). No row: not separated. The
-- 审核 step then tells the applicant, as every state change does.
CREATE TABLE duty_separation (
    authority_code TEXT PRIMARY KEY REFERENCES authorities (code),
    separated      INTEGER NOT NULL DEFAULT 0,
    updated_at     TIMESTAMP NOT NULL,
    updated_by     INTEGER REFERENCES users (id)
);

INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('reviewed', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}审核，待作出是否准予许可的决定。', CURRENT_TIMESTAMP);
