-- Apply a guardians upload plan (registered as plan_guardians, plan_links, plan_results).
-- Parameters: $batch, $tenant, $mode.
CREATE TABLE IF NOT EXISTS guardian_upload_results (
    batch_id VARCHAR, tenant_id VARCHAR, mode VARCHAR, line BIGINT, student_sourced_id VARCHAR,
    guardian_sourced_id VARCHAR, result VARCHAR, action VARCHAR, message VARCHAR,
    planned_at TIMESTAMP
);
DELETE FROM guardian_upload_results WHERE batch_id = $batch AND mode = $mode;
INSERT INTO guardian_upload_results
SELECT $batch, $tenant, $mode, line, student_sourced_id, guardian_sourced_id, result, action,
       message, current_timestamp
FROM plan_results;
