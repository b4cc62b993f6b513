-- History tables kept across batches. Roster tables are rewritten from the stage per batch.
CREATE TABLE IF NOT EXISTS findings (
    batch_id VARCHAR, tenant_id VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR,
    sourced_id VARCHAR, code VARCHAR, severity VARCHAR, message VARCHAR
);
CREATE TABLE IF NOT EXISTS batches (
    batch_id VARCHAR, tenant_id VARCHAR, kind VARCHAR, folder VARCHAR, received_at VARCHAR,
    applied_at TIMESTAMP, oneroster_version VARCHAR, manifest_present BOOLEAN, scope VARCHAR,
    status VARCHAR, rows_read BIGINT, rows_applied BIGINT, rows_rejected BIGINT,
    errors BIGINT, warnings BIGINT
);
ALTER TABLE batches ADD COLUMN IF NOT EXISTS application_id VARCHAR;
-- The value as the file sent it, where a finding is about one (for analysts; never in metadata).
ALTER TABLE findings ADD COLUMN IF NOT EXISTS value VARCHAR;
CREATE TABLE IF NOT EXISTS batch_files (
    batch_id VARCHAR, tenant_id VARCHAR, file VARCHAR, kind VARCHAR, mode VARCHAR,
    size_bytes BIGINT, sha256 VARCHAR, encoding VARCHAR, rows_read BIGINT, rows_applied BIGINT,
    rows_rejected BIGINT
);
CREATE TABLE IF NOT EXISTS student_guardians (
    tenant_id VARCHAR, application_id VARCHAR, batch_id VARCHAR, student_sourced_id VARCHAR, guardian_sourced_id VARCHAR,
    relationship VARCHAR, source VARCHAR
);
-- Links have a lifecycle, like enrollments: deactivated (never deleted), reactivated.
ALTER TABLE student_guardians ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT 'active';
ALTER TABLE student_guardians ADD COLUMN IF NOT EXISTS linked_at TIMESTAMP;
ALTER TABLE student_guardians ADD COLUMN IF NOT EXISTS ended_at TIMESTAMP;
