-- The sweep that seals personal data found in clear (rows from before
-- sealing existed, or written by SQL that cannot seal) read every sealed
-- column of every row at each start: over a second at a million holders,
-- and growing with the registry. A sweep that went through is recorded
-- here with the list of sealed columns it covered; a start skips it when
-- the list is the same. A database from before this table (an older
-- version, or a restore of its backup) has no record, so it is swept once;
-- a version that seals a further column sweeps again.
CREATE TABLE personal_data_sweeps (
    columns TEXT PRIMARY KEY,
    swept_at TIMESTAMP NOT NULL
);
