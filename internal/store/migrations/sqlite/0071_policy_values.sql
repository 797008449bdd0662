-- The policy values (application.Policy) with the day from which each
-- applies: the value in force on a day is the row of its key with the
-- latest effective_from on or before it. An admin adds rows on the web;
-- the revision counter tells every instance that its cached policy is out
-- of date. The first rows are the values compiled in before, from the day
-- TSG Z6001-2019 took effect (application.PolicySince).
CREATE TABLE policy_values (
    key            TEXT NOT NULL,
    value          TEXT NOT NULL,        -- decimal, or YYYY-MM-DD ('' for none)
    effective_from TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',  -- the document deciding it
    set_at         TIMESTAMP NOT NULL,
    set_by         INTEGER REFERENCES users (id),
    PRIMARY KEY (key, effective_from)
);
INSERT INTO policy_values (key, value, effective_from, note, set_at) VALUES
    ('renewal_lead_months', '3', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('reopen_expired_since', '', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('new_min_age', '18', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('new_max_age', '60', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('renew_max_age', '65', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('draft_keep_days', '15', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('accept_workdays', '5', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('decide_workdays', '20', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('correction_workdays', '15', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP),
    ('exam_pass_mark', '70', '2019-06-01', '系统初始值', CURRENT_TIMESTAMP);
INSERT INTO counters (name, value) VALUES ('policy_values', 0) ON CONFLICT (name) DO NOTHING;
