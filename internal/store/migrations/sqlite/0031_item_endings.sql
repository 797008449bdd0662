-- A certificate item ended by a decision of the issuing authority: 撤销
-- (行政许可法 第六十九条: the licence should not have been granted) or 注销
-- (第七十条: it has ended, e.g. revoked, or at the holder's request). The
-- item's status is then 'revoked'; this row says which, why and on what
-- legal basis, for every page and check that shows the item.
CREATE TABLE item_endings (
    item_id    INTEGER PRIMARY KEY REFERENCES certificate_items (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('revoke', 'cancel')),
    reason     TEXT NOT NULL,
    basis      TEXT NOT NULL,
    decided_on TEXT NOT NULL,        -- YYYY-MM-DD
    decided_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
