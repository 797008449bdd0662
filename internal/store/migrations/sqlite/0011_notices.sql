-- Notices and decisions as issued: once issued, a document is a record. Its
-- content (data, JSON, with its hash) is written in the transaction of the
-- action that issues it; the PDF made from it is kept in the file store on
-- first delivery (pdf_key, pdf_sha256) and served as it is from then on.
CREATE TABLE notices (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    event_id       INTEGER REFERENCES application_events (id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    number         TEXT NOT NULL,
    issued_at      TIMESTAMP NOT NULL,
    data           TEXT NOT NULL,
    data_sha256    TEXT NOT NULL,
    pdf_key        TEXT,
    pdf_sha256     TEXT
);
CREATE INDEX notices_application ON notices (application_id, kind, id);
