-- Fixed-window counters for rate limits shared by every server process: one row per (key, window start).
-- Old windows are deleted by housekeeping; UNLOGGED because a lost counter after a crash only forgives a little.
CREATE UNLOGGED TABLE rate_limit_hits (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_start);
