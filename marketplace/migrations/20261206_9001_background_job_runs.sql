-- One row per background job: how often it ran, failed and last succeeded, over every worker process.
-- /metrics reads it, so a scrape of any server sees the work of all workers.
CREATE TABLE background_job_runs (
    job text PRIMARY KEY,
    runs bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    last_run_at timestamptz,
    last_success_at timestamptz
);
