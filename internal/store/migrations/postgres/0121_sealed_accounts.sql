-- Accounts' logins and mobiles and the outbox's recipients are kept sealed
-- (internal/sealed), found by the HMAC-SHA256 of the value (the blind
-- index of migration 0100) in a *_hmac column next to them. Existing rows
-- are sealed by the service after this migration (store.Migrate), since
-- SQL does not know the key; until then their HMACs are NULL, which the
-- unique indexes let through.
--
-- A login is looked up as typed; a mobile by its digits. The old UNIQUE
-- on users.login stays (sealed values never repeat): uniqueness of a login
-- is now users_login_hmac, and of an applicant's mobile the index
-- users_applicant_mobile, moved onto the HMAC.
ALTER TABLE users ADD COLUMN login_hmac TEXT;
CREATE UNIQUE INDEX users_login_hmac ON users (login_hmac);
ALTER TABLE users ADD COLUMN mobile_hmac TEXT;
DROP INDEX users_applicant_mobile;
CREATE UNIQUE INDEX users_applicant_mobile ON users (mobile_hmac) WHERE role = 'applicant';

-- The outbox is read by recipient (the development page, the per-number
-- checks of tests), by the HMAC of its digits.
ALTER TABLE outbox ADD COLUMN recipient_hmac TEXT;
DROP INDEX outbox_recipient;
CREATE INDEX outbox_recipient ON outbox (recipient_hmac, created_at);

-- rate_events.bucket keeps what a limit counts (a login, a mobile, a name,
-- an address) as its HMAC: '#' || kind || ':' || HMAC. The buckets an older
-- version wrote in clear are renamed so by the service at start.
