-- Per-row results of an upload (registered as plan_results), preview and apply told apart.
-- Identifier: {results_table}. Parameters: $batch, $tenant, $mode.
CREATE TABLE IF NOT EXISTS {results_table} (
    batch_id VARCHAR, tenant_id VARCHAR, mode VARCHAR, line BIGINT, student_sourced_id VARCHAR,
    guardian_sourced_id VARCHAR, result VARCHAR, action VARCHAR, message VARCHAR,
    planned_at TIMESTAMP
);
DELETE FROM {results_table} WHERE batch_id = $batch AND mode = $mode;
INSERT INTO {results_table}
SELECT $batch, $tenant, $mode, line, student_sourced_id, guardian_sourced_id, result, action,
       message, current_timestamp
FROM plan_results;
