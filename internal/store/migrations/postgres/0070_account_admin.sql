-- Accounts managed by an admin on the web: a password an admin reset (or
-- set at creation) is one-time, and its holder must choose their own at
-- the next login before anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX users_role ON users (role, authority_code);
