-- The registry of certificates, enterprises, the 受理机关 and accounts.
-- Dates are 'YYYY-MM-DD' text (sortable); instants are TIMESTAMP, which the
-- driver reads back as time.Time.

CREATE TABLE authorities (
    code     TEXT PRIMARY KEY,  -- administrative division code of the district, e.g. 310104
    name     TEXT NOT NULL,     -- 徐汇区市场监督管理局
    district TEXT NOT NULL      -- 徐汇区
);

CREATE TABLE enterprises (
    credit_code   TEXT PRIMARY KEY,  -- 统一社会信用代码 (GB 32100)
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,     -- registered address (注册地址)
    district_code TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_name ON enterprises (name);

CREATE TABLE holders (
    id         INTEGER PRIMARY KEY,
    id_type    TEXT NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    sex        TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (id_number, id_type)
);

CREATE TABLE certificates (
    id         INTEGER PRIMARY KEY,
    holder_id  INTEGER NOT NULL REFERENCES holders (id),
    number     TEXT NOT NULL UNIQUE,
    archive_no TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX certificates_holder ON certificates (holder_id);

CREATE TABLE certificate_items (
    id             INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    item           TEXT NOT NULL,  -- catalog.ItemRef: '2019:Q2(限流动式起重机)', '2011:Q8'
    weld_code      TEXT NOT NULL DEFAULT '',
    issued_by      TEXT NOT NULL,
    approved_on    TEXT NOT NULL,
    valid_until    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('valid', 'superseded', 'revoked')),
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX certificate_items_certificate ON certificate_items (certificate_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('applicant', 'officer', 'examiner', 'admin')),
    password_hash  TEXT NOT NULL,
    authority_code TEXT REFERENCES authorities (code),
    holder_id      INTEGER REFERENCES holders (id),
    mobile         TEXT NOT NULL DEFAULT '',
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL
);
