-- Personal data is kept sealed (internal/sealed): 证件号码 and phone
-- numbers as "v1:<key id>:<ciphertext>", found by the HMAC-SHA256 of the
-- normalised value in a *_hmac column next to them. Existing rows are
-- sealed by the service after this migration, in batches (store.Migrate),
-- since SQL does not know the key.
--
-- The data keys, newest current: values are sealed with it and re-sealed
-- from older ones by opcert keys rotate-data. A key's secret is never kept
-- here: 'secret' keys derive from OPCERT_SECRET_KEY, 'stored' ones are
-- server_keys rows named data:k<id>. check_value (an HMAC of the secret)
-- tells a wrong OPCERT_SECRET_KEY at start instead of at the first read.
CREATE TABLE data_keys (
    id          BIGINT PRIMARY KEY,   -- the key id in values is 'k' || id
    cipher      TEXT NOT NULL CHECK (cipher IN ('AES-256-GCM', 'SM4-GCM')),
    source      TEXT NOT NULL CHECK (source IN ('secret', 'stored')),
    check_value TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The old UNIQUE (id_number, id_type) stays (sealed values never repeat);
-- uniqueness of a person is now this index.
ALTER TABLE holders ADD COLUMN id_number_hmac TEXT;
CREATE UNIQUE INDEX holders_id_number_hmac ON holders (id_number_hmac, id_type);

-- A certificate's number is most often its holder's 证件号码.
ALTER TABLE certificates ADD COLUMN number_hmac TEXT;
CREATE UNIQUE INDEX certificates_number_hmac ON certificates (number_hmac);
