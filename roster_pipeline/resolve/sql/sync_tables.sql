-- History of sync runs and applied changes, kept across batches.
CREATE TABLE IF NOT EXISTS sync_runs (
    run_id VARCHAR, batch_id VARCHAR, tenant_id VARCHAR, application_id VARCHAR, mode VARCHAR,
    action VARCHAR, status VARCHAR, reason VARCHAR, live_version BIGINT, applied_version BIGINT,
    plan_digest VARCHAR, settings VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    created BIGINT, updated BIGINT, deactivated BIGINT, reactivated BIGINT, archived BIGINT,
    unarchived BIGINT, unchanged BIGINT, skipped BIGINT
);
-- The release that ran it: a re-send's result is carried over only within one release.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS pipeline_version VARCHAR;
CREATE TABLE IF NOT EXISTS sync_run_counts (
    run_id VARCHAR, batch_id VARCHAR, entity VARCHAR, change VARCHAR, n BIGINT
);
CREATE TABLE IF NOT EXISTS sync_plan (
    run_id VARCHAR, batch_id VARCHAR, entity VARCHAR, sourced_id VARCHAR, change VARCHAR,
    field VARCHAR, old_value VARCHAR, new_value VARCHAR, applied BOOLEAN, note VARCHAR
);
-- change_log: what a version's changes share is stored once (change_log_runs), the changes apart.
CREATE TABLE IF NOT EXISTS change_log_runs (
    version BIGINT, batch_id VARCHAR, run_id VARCHAR, tenant_id VARCHAR, application_id VARCHAR,
    changed_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS change_log_entries (
    version BIGINT, entity VARCHAR, sourced_id VARCHAR, change VARCHAR, field VARCHAR,
    old_value VARCHAR, new_value VARCHAR
);
-- An entity a version created whole (its table's first load): its 'created' changes are the
-- records its history starts with, not stored again (the change_log view reads them there).
CREATE TABLE IF NOT EXISTS change_log_loads (version BIGINT, entity VARCHAR, table_name VARCHAR);
