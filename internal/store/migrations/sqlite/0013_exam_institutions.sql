-- The exam institutions (考试机构) and the items each examines. 安全阀校验
-- and 客运索道 applicants choose one when they apply and contact it (seed 000
-- 2.1 注3); R3 is examined by 中国人民解放军海军特色医学中心 (注2). items is a
-- comma-separated list of 2019 item codes.
CREATE TABLE exam_institutions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    items      TEXT NOT NULL,
    contact    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
