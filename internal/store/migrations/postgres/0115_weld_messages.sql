-- A welder registrant is told their seats and that the 准考证 can be
-- printed (seed 000 四; 2.1 注1), as an applicant is.
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('weld_scheduled', '【特种设备作业人员资格认定】您的焊工考试报名（报名序号 {报名序号}）已安排考试：{考试安排}。请在焊工考试报名页面点“修改”，凭短信验证码查看考试安排并打印准考证。', CURRENT_TIMESTAMP);
