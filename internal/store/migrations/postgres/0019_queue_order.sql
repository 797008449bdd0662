-- The back-office queue reads its page in the order of these indexes
-- (nearest legal deadline first, those without one last, then by id), so
-- it reads the 50 rows it shows instead of sorting every application of
-- the 受理机关 with its form; the second serves an admin's queue of all.
CREATE INDEX applications_queue_order ON applications (authority_code, (due_on IS NULL), due_on, id);
CREATE INDEX applications_due_order ON applications ((due_on IS NULL), due_on, id);
