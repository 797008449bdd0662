-- The back office finds an application by the applicant's name or 证件号码
-- (a bureau answering a phone call): through the holder, whose number is
-- already unique and whose name this indexes, to the applications of that
-- holder.
CREATE INDEX holders_name ON holders (name);
CREATE INDEX applications_holder ON applications (holder_id);
