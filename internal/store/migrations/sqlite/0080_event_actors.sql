-- The 办理记录 names who did each step with the 受理机关 they acted for at
-- the time: an officer later moved to another bureau still shows under the
-- one whose decision it was.
ALTER TABLE application_events ADD COLUMN actor_authority TEXT REFERENCES authorities (code);
