-- Keys that sign the QR codes of certificates (internal/verify). Every key
-- ever used stays here and is published, so a certificate printed before a
-- rotation still verifies; only the newest unretired key signs.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,    -- key id: first 8 bytes of SHA-256 of the public key, hex
    algorithm   TEXT NOT NULL,       -- Ed25519
    public_key  TEXT NOT NULL,       -- base64url
    private_key TEXT NOT NULL,       -- base64url of the seed
    created_at  TIMESTAMP NOT NULL,
    retired_at  TIMESTAMP
);
