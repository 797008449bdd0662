-- The bureau and city dashboard counts from indexes alone: the day of
-- first submission in China (the day of arrival the 受理 period runs from)
-- to 受理, 受理 to the decision, the submissions of a period, and the 补正
-- asked (the rate of applications asked at least once). Applications by
-- status and deadlines come from applications_queue.
ALTER TABLE applications ADD COLUMN submitted_on TEXT;
UPDATE applications SET submitted_on = date(substr(submitted_at, 1, 19), '+8 hours') WHERE submitted_at IS NOT NULL;
CREATE INDEX applications_dashboard_acceptance ON applications (authority_code, accepted_on, submitted_on);
CREATE INDEX applications_dashboard_decision ON applications (authority_code, decided_on, accepted_on);
CREATE INDEX applications_dashboard_submitted ON applications (authority_code, submitted_on);
CREATE INDEX application_events_action ON application_events (action, application_id);
