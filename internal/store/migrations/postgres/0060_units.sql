-- 单位 accounts: employers and training bodies (DESIGN.md, 单位), one per
-- 统一社会信用代码, which is also the account's login name.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('applicant', 'officer', 'examiner', 'admin', 'unit'));

CREATE TABLE units (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    credit_code TEXT NOT NULL UNIQUE,    -- 统一社会信用代码 (GB 32100)
    name        TEXT NOT NULL,           -- 单位名称
    address     TEXT NOT NULL,           -- 单位地址
    contact     TEXT NOT NULL,           -- 联系人
    phone       TEXT NOT NULL,           -- 联系电话
    created_at  TIMESTAMPTZ NOT NULL
);
