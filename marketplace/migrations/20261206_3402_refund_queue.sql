-- Refunds no provider could make (the provider refused or is down during a cancellation) and refunds of money
-- the platform collected by bank transfer (VietQR cannot send money back) are `queued`: booked in the ledger
-- at once (the merchant keeps no credit for a cancelled order), then paid back by hand by an admin, who marks
-- them `succeeded` with the bank reference.
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
    CHECK (status IN ('pending', 'succeeded', 'failed', 'manual', 'queued'));
ALTER TABLE refunds ADD COLUMN paid_by bigint REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE refunds ADD COLUMN paid_at timestamptz;
ALTER TABLE refunds ADD COLUMN paid_reference text CHECK (length(paid_reference) <= 200);
CREATE INDEX refunds_queued_idx ON refunds (created_at) WHERE status = 'queued';
