-- Holiday arrangements of years added after the binary was built (an admin
-- imports the State Council's notice for 2027 when it is published); they
-- extend or replace the embedded 2020–2026 data.
CREATE TABLE holiday_years (
    year        INTEGER PRIMARY KEY,
    data        TEXT NOT NULL,   -- workday.YearData as JSON
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL
);
