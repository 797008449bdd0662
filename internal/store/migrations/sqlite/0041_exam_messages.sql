-- Every change notifies the applicant (DESIGN.md): a seat in a 考试场次 (the
-- 准考证 can be printed, seed 000 2.1 注1) and a place on the waitlist of a
-- full one.
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('exam_scheduled', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已安排考试：{考试安排}。请登录网上办事系统，在“办件查询”的考试安排中打印准考证。', CURRENT_TIMESTAMP),
    ('exam_waitlisted', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）考试场次已满，已列入候补：{考试安排}。有座位或新场次时将为您安排并短信通知。', CURRENT_TIMESTAMP);
