-- 焊工报名 (seed 000 四): a welder's 考试申请表 (新考证) or 复审申请表 as
-- typed on the exam system's public pages, kept whole as JSON; the
-- registrant changes it (修改) until the exam institution's staff lock it,
-- then staff seat it in their sessions and enter its scores, each skill
-- item's result going to exam_results for the 一网通办 application.
CREATE TABLE weld_registrations (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('new', 'renew')),
    id_number      TEXT NOT NULL,
    name           TEXT NOT NULL,
    mobile         TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES exam_institutions (id),
    data           TEXT NOT NULL,        -- weldexam.Registration as JSON
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    locked_at      TIMESTAMP,
    locked_by      INTEGER REFERENCES users (id),
    scored_at      TIMESTAMP,
    -- The registrant's proof of ownership (an SMS code to the phone the
    -- registration gives) opens it for a while: a SHA-256 of the token
    -- handed to the browser, and when it stops working.
    access_hash    TEXT NOT NULL DEFAULT '',
    access_until   TIMESTAMP,
    scored_by      INTEGER REFERENCES users (id)
);
CREATE INDEX weld_registrations_person ON weld_registrations (id_number, kind);
CREATE INDEX weld_registrations_institution ON weld_registrations (institution_id, id);

-- A locked registration's place in a session of its institution, one per
-- subject (theory, practical).
CREATE TABLE weld_seats (
    registration_id INTEGER NOT NULL REFERENCES weld_registrations (id),
    subject         TEXT NOT NULL CHECK (subject IN ('theory', 'practical')),
    session_id      INTEGER NOT NULL REFERENCES exam_sessions (id),
    seat            INTEGER NOT NULL,
    placed_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (registration_id, subject)
);
CREATE UNIQUE INDEX weld_seats_seat ON weld_seats (session_id, seat);

-- The registration an exam result was examined for.
ALTER TABLE exam_results ADD COLUMN weld_registration_id INTEGER REFERENCES weld_registrations (id);
CREATE INDEX exam_results_weld_registration ON exam_results (weld_registration_id);
