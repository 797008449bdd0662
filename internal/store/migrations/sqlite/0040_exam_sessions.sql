-- The exam system for general items (seed 000 2.1 注1): exam staff belong
-- to one exam institution; its 考试场次 each examine one subject of some
-- items on a day at a venue for a number of candidates; an accepted 新办 or
-- 增项 application waiting for its exam gets a seat, or a place on the
-- waitlist of a full session, for each subject of each attempt (the first
-- exam, then the 补考).
ALTER TABLE users ADD COLUMN exam_institution_id INTEGER REFERENCES exam_institutions (id);

CREATE TABLE exam_sessions (
    id             INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES exam_institutions (id),
    items          TEXT NOT NULL,        -- comma-separated 2019 item codes
    subject        TEXT NOT NULL CHECK (subject IN ('theory', 'practical')),
    exam_date      TEXT NOT NULL,
    starts_at      TEXT NOT NULL,        -- HH:MM, China time
    ends_at        TEXT NOT NULL,
    venue          TEXT NOT NULL,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX exam_sessions_institution ON exam_sessions (institution_id, exam_date);

CREATE TABLE exam_seats (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    subject        TEXT NOT NULL CHECK (subject IN ('theory', 'practical')),
    attempt        INTEGER NOT NULL,     -- 1 the first exam, 2 the 补考
    session_id     INTEGER NOT NULL REFERENCES exam_sessions (id),
    seat           INTEGER,              -- the seat number; NULL while on the waitlist
    waitlist       INTEGER,              -- the waitlist order; NULL when seated
    placed_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, subject, attempt),
    CHECK ((seat IS NULL) <> (waitlist IS NULL))
);
-- A seat is given once; so is a waitlist place.
CREATE UNIQUE INDEX exam_seats_seat ON exam_seats (session_id, seat) WHERE seat IS NOT NULL;
CREATE UNIQUE INDEX exam_seats_waitlist ON exam_seats (session_id, waitlist) WHERE waitlist IS NOT NULL;
