-- The periodic job deletes expired QR logins, SMS codes and rate events
-- (DeleteExpiredLogins); these indexes let it find them without reading
-- every row of tables that anonymous requests fill.
CREATE INDEX qr_logins_expires ON qr_logins (expires_at);
CREATE INDEX sms_codes_expires ON sms_codes (expires_at);
CREATE INDEX rate_events_at ON rate_events (at);
