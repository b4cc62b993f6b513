-- History of sync runs and applied changes, kept across batches.
CREATE TABLE IF NOT EXISTS sync_runs (
    run_id VARCHAR, batch_id VARCHAR, tenant_id VARCHAR, application_id VARCHAR, mode VARCHAR,
    action VARCHAR, status VARCHAR, reason VARCHAR, live_version BIGINT, applied_version BIGINT,
    plan_digest VARCHAR, settings VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    created BIGINT, updated BIGINT, deactivated BIGINT, reactivated BIGINT, archived BIGINT,
    unarchived BIGINT, unchanged BIGINT, skipped BIGINT
);
CREATE TABLE IF NOT EXISTS sync_run_counts (
    run_id VARCHAR, batch_id VARCHAR, entity VARCHAR, change VARCHAR, n BIGINT
);
CREATE TABLE IF NOT EXISTS sync_plan (
    run_id VARCHAR, batch_id VARCHAR, entity VARCHAR, sourced_id VARCHAR, change VARCHAR,
    field VARCHAR, old_value VARCHAR, new_value VARCHAR, applied BOOLEAN, note VARCHAR
);
CREATE TABLE IF NOT EXISTS change_log (
    batch_id VARCHAR, run_id VARCHAR, tenant_id VARCHAR, application_id VARCHAR,
    version BIGINT, entity VARCHAR, sourced_id VARCHAR, change VARCHAR, field VARCHAR,
    old_value VARCHAR, new_value VARCHAR, changed_at TIMESTAMP
);
