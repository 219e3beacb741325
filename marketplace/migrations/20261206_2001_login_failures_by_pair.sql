-- Sign-in throttling counts failures per (account, client address) pair (issue 10, point 4).
CREATE INDEX login_failures_pair_idx ON login_failures (account, ip, failed_at);
