-- The public query by 档案编号 looks certificates up by archive number as
-- well as by number; most old records have none.
CREATE INDEX certificates_archive_no ON certificates (archive_no) WHERE archive_no <> '';
