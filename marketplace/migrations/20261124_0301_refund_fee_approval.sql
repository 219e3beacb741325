-- A merchant's "manual" refund of money it collected itself (cash, its own account) comes with no
-- proof that anything went back: the platform fee on it is returned only once an admin approves.
ALTER TABLE refunds ADD COLUMN fee_return_pending boolean NOT NULL DEFAULT false;
CREATE INDEX refunds_fee_return_pending_idx ON refunds (created_at) WHERE fee_return_pending;
