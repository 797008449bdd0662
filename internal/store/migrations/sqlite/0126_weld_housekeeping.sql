-- The photo a 焊工报名's form names, kept as the keyed hash of its file key
-- (the key alone opens the photo at /weld/photo, so it is not kept in
-- clear): the file sweep asks which stored photos some registration still
-- names, and removes the others (a form given up after its photo was
-- uploaded, a photo 修改 replaced). NULL for the rows written before this
-- column, until the sweep has read their forms (casework.WeldPhotosInUse).
ALTER TABLE weld_registrations ADD COLUMN photo_hmac TEXT;
CREATE INDEX weld_registrations_photo ON weld_registrations (photo_hmac);

-- 批量报名 uploads not confirmed are deleted some days after their upload
-- (weldexam.UnconfirmedBatchKept), found by their upload time.
CREATE INDEX weld_batches_unconfirmed ON weld_batches (created_at) WHERE confirmed_at IS NULL;

-- A confirmed upload keeps its record (who, file name, counts, the
-- registrations it made), not its rows: each registration holds its own
-- form, and no page reads the rows once confirmed. Confirmation now
-- clears them; this clears those confirmed before.
UPDATE weld_batches SET rows_json = '' WHERE confirmed_at IS NOT NULL;
