-- Applications (新办, 增项, 复审, 补证) from draft to decision, their items,
-- materials, history, and the passed exam results they may cite.

CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    number              TEXT UNIQUE,          -- 申请号, given at 提交
    applicant_id        INTEGER NOT NULL REFERENCES users (id),
    holder_id           INTEGER NOT NULL REFERENCES holders (id),
    matter              TEXT NOT NULL CHECK (matter IN ('new', 'add', 'renew', 'reissue')),
    authority_code      TEXT REFERENCES authorities (code),
    status              TEXT NOT NULL,
    step                TEXT NOT NULL,        -- furthest wizard step reached
    data                TEXT NOT NULL,        -- the form as JSON (application.Form)
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,   -- 编辑时间
    submitted_at        TIMESTAMP,            -- 申请日期
    draft_expires_on    TEXT,                 -- drafts: 15 days after the last save
    correction_deadline TEXT
);
CREATE INDEX applications_applicant ON applications (applicant_id, updated_at);
CREATE INDEX applications_status ON applications (status, draft_expires_on);

-- One line per item applied for. "active" is true while the application is
-- under way, and the partial unique index refuses a second active
-- application for the same person and item.
CREATE TABLE application_items (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    holder_id      INTEGER NOT NULL REFERENCES holders (id),
    qualification  TEXT NOT NULL,             -- catalog.Qualification, e.g. Q2(限流动式起重机)
    weld_code      TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (application_id, qualification, weld_code)
);
CREATE UNIQUE INDEX application_items_active ON application_items (holder_id, qualification, weld_code) WHERE active = 1;

CREATE TABLE materials (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    material       TEXT NOT NULL,             -- key of the material spec, or custom:<name>
    blob_key       TEXT NOT NULL UNIQUE,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_at    TIMESTAMP NOT NULL
);
CREATE INDEX materials_application ON materials (application_id, material);

CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    at             TIMESTAMP NOT NULL,
    actor_id       INTEGER REFERENCES users (id),
    action         TEXT NOT NULL,
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_application ON application_events (application_id, id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- Passed exam results an application may cite (welding 新办/增项/复审 need one
-- first). The exam system fills this later; demo data fills it for now.
CREATE TABLE exam_results (
    id            INTEGER PRIMARY KEY,
    holder_id     INTEGER NOT NULL REFERENCES holders (id),
    qualification TEXT NOT NULL,
    weld_code     TEXT NOT NULL DEFAULT '',
    exam_date     TEXT NOT NULL,
    theory        INTEGER,
    practical     INTEGER,
    passed        INTEGER NOT NULL,
    institution   TEXT NOT NULL,
    used_by       INTEGER REFERENCES applications (id)
);
CREATE INDEX exam_results_holder ON exam_results (holder_id);
