-- A one-time code is found by the HMAC-SHA256 of its phone number (the blind
-- index of migration 0100): the number itself is only ever compared, so it
-- is not kept. Codes issued before cannot be hashed by SQL and are dropped:
-- they live five minutes, and whoever was waiting for one asks again.
DELETE FROM sms_codes;
ALTER TABLE sms_codes RENAME COLUMN mobile TO mobile_hmac;
