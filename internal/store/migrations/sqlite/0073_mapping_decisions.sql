-- An admin's confirmation or change of a 换发 rule the research left
-- uncertain (catalog.MappingDecision), with its source; the catalogue in
-- use is the embedded one with these in place. The revision counter tells
-- every instance that its catalogue is out of date.
CREATE TABLE mapping_decisions (
    old_code       TEXT PRIMARY KEY,     -- the 2011 item, e.g. Q9
    kind           TEXT NOT NULL,        -- catalog.MappingKind
    targets        TEXT NOT NULL,        -- 2019 lines, '、'-separated, e.g. Q2(限升降机)
    optional_extra TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    decided_at     TIMESTAMP NOT NULL,
    decided_by     INTEGER REFERENCES users (id)
);
INSERT INTO counters (name, value) VALUES ('mapping_decisions', 0) ON CONFLICT (name) DO NOTHING;
