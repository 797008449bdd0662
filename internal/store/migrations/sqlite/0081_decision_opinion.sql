-- The 审批意见 of 准予许可 and 不予许可 (and a reviewer's 初审意见): on the
-- history line of the step, and with the decision on the application.
ALTER TABLE application_events ADD COLUMN opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN decision_opinion TEXT NOT NULL DEFAULT '';
