-- Every change notifies the applicant (DESIGN.md): 撤回, 补正后再次提交,
-- 录入考试成绩, 转办 and the deletion of an expired draft get their own
-- messages, and the 提交 message names the 申请号 and the 受理 deadline.
-- The 提交 text is replaced only where no admin has edited it.
UPDATE sms_templates SET body = '【特种设备作业人员资格认定】您的{事项}申请（申请号 {申请号}）已提交，受理机构：{受理机关}，将于{期限}前决定是否受理。可在“办件查询”查看办理进度。'
    WHERE topic = 'submitted' AND updated_by IS NULL
      AND body = '【特种设备作业人员资格认定】您的{事项}申请已提交，受理机构：{受理机关}。可在“办件查询”查看办理进度。';
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('withdrawn', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已撤回。如需办理，请重新申请。', CURRENT_TIMESTAMP),
    ('resubmitted', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已补正并再次提交，{受理机关}将于{期限}前决定是否受理。', CURRENT_TIMESTAMP),
    ('exam_recorded', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已录入考试成绩，{受理机关}将于{期限}前作出是否准予许可的决定。', CURRENT_TIMESTAMP),
    ('transferred', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已转由{受理机关}办理，原因：{理由}。', CURRENT_TIMESTAMP),
    ('draft_expired', '【特种设备作业人员资格认定】您暂存的{事项}申请超过15天未提交，已按规定删除。如需办理，请重新申请。', CURRENT_TIMESTAMP);
INSERT INTO sms_templates (topic, body, updated_at) VALUES
    ('exam_failed', '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）考试成绩已录入：{理由}。详情可在“办件查询”查看。', CURRENT_TIMESTAMP);
-- 受理 of an application examined afterwards says how its exam is arranged
-- (seed 000 2.1 注1–3: not every item has a 准考证).
UPDATE sms_templates SET body = '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理。{考试安排}'
    WHERE topic = 'examining' AND updated_by IS NULL
      AND body = '【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理，请及时查询考试安排并打印准考证。';
