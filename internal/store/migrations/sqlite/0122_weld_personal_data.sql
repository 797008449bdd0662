-- The personal data of 焊工报名 is kept sealed as the registry's is
-- (migration 0100): a registration's 证件号码, mobile and form (name,
-- 证件号码, mobile, address …), the rows of a 单位's 批量报名 upload and a
-- 单位's 联系电话 (often its contact's mobile). A registration is found by
-- the HMAC-SHA256 of its normalised 证件号码, so the person index moves to
-- it. Existing rows are sealed and given their HMAC by the service after
-- this migration (store.Migrate), since SQL does not know the key.
ALTER TABLE weld_registrations ADD COLUMN id_number_hmac TEXT;
DROP INDEX weld_registrations_person;
CREATE INDEX weld_registrations_person ON weld_registrations (id_number_hmac, kind);
