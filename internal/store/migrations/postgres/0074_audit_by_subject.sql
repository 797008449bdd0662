-- The admin pages list the audit entries of one account, policy value or
-- rule (AuditEntries, by subject, newest first).
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
