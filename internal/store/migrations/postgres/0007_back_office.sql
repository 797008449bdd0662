-- The statutory clock of each application and the exam scores an officer
-- records by hand until the exam system reports them.
ALTER TABLE applications ADD COLUMN due_on DATE;       -- the current legal deadline (受理 or 决定)
ALTER TABLE applications ADD COLUMN accepted_on DATE;  -- 受理 date, start of the decision period
ALTER TABLE applications ADD COLUMN decided_on DATE;
CREATE INDEX applications_queue ON applications (authority_code, status, due_on);
