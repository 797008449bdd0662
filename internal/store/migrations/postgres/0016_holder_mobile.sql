-- The mobile the registry has on record for a holder (手机号 column of the
-- holder import). A registration claiming the holder's 证件号码 proves it is
-- the holder by receiving its code there (or by a 实名核验 of another
-- mobile); '' when none is on record.
ALTER TABLE holders ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
