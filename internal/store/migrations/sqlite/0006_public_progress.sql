-- The token in the QR code of every notice: it opens the public progress
-- page of the application without revealing its ID or personal data.
ALTER TABLE applications ADD COLUMN public_token TEXT;
CREATE UNIQUE INDEX applications_public_token ON applications (public_token);
