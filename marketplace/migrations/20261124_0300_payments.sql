-- Payments: attempts per checkout, the orders each covers, provider events (stored by id so a replay
-- changes nothing), refunds, merchants' VietQR accounts, and the merchant ledger with payouts.

-- A merchant's own account for VietQR transfers; without one, buyers pay the platform's account.
CREATE TABLE merchant_bank_accounts (
    merchant_id bigint PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
    bank_bin text NOT NULL CHECK (bank_bin ~ '^[0-9]{6}$'),
    account_number text NOT NULL CHECK (account_number ~ '^[0-9A-Za-z]{1,19}$'),
    account_name text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One attempt to collect money for one or more orders of a checkout.
CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkout_id bigint NOT NULL REFERENCES checkouts (id),
    method text NOT NULL CHECK (method IN ('stripe', 'vietqr', 'cod')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'paid', 'review', 'failed', 'expired', 'cancelled', 'partially_refunded', 'refunded')),
    amount bigint NOT NULL CHECK (amount >= 0),
    currency text NOT NULL DEFAULT 'VND',
    -- Who receives the money: NULL is the platform (Stripe, platform VietQR account), else the merchant.
    payee_merchant_id bigint REFERENCES merchants (id),
    bank_bin text,
    bank_account_number text,
    bank_account_name text,
    provider_reference text,
    payment_intent text,
    redirect_url text,
    qr_payload text,
    amount_received bigint NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
    amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
    last_error text,
    review_reason text,
    idempotency_key text NOT NULL UNIQUE,
    expires_at timestamptz,
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_checkout_idx ON payments (checkout_id);
CREATE UNIQUE INDEX payments_stripe_reference_key ON payments (provider_reference)
    WHERE method = 'stripe' AND provider_reference IS NOT NULL;
CREATE INDEX payments_payment_intent_idx ON payments (payment_intent) WHERE payment_intent IS NOT NULL;
CREATE INDEX payments_vietqr_reference_idx ON payments (provider_reference) WHERE method = 'vietqr';
CREATE INDEX payments_review_idx ON payments (updated_at) WHERE status = 'review';

CREATE TABLE payment_orders (
    payment_id bigint NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    order_id bigint NOT NULL REFERENCES orders (id),
    amount bigint NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (payment_id, order_id)
);
CREATE INDEX payment_orders_order_idx ON payment_orders (order_id);

-- Every verified notification, keyed by the provider's event id: the primary key makes replays no-ops.
CREATE TABLE payment_events (
    method text NOT NULL,
    event_id text NOT NULL,
    provider_type text NOT NULL,
    payment_id bigint REFERENCES payments (id),
    amount bigint,
    description text,
    outcome text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, event_id)
);
CREATE INDEX payment_events_payment_idx ON payment_events (payment_id);
-- Transfers nobody could match to an order wait here for a person.
CREATE INDEX payment_events_unmatched_idx ON payment_events (received_at) WHERE outcome = 'unmatched';

CREATE TABLE refunds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id bigint NOT NULL REFERENCES payments (id),
    order_id bigint REFERENCES orders (id),
    amount bigint NOT NULL CHECK (amount > 0),
    status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'manual')),
    provider_reference text,
    reason text NOT NULL DEFAULT '',
    idempotency_key text NOT NULL UNIQUE,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
CREATE INDEX refunds_order_idx ON refunds (order_id);

-- Money the platform sent a merchant. `method` and `external_reference` leave room for Stripe Connect
-- transfers (method 'stripe_connect', reference tr_...) next to manual bank payouts.
CREATE TABLE payouts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint NOT NULL REFERENCES merchants (id),
    amount bigint NOT NULL CHECK (amount > 0),
    currency text NOT NULL DEFAULT 'VND',
    method text NOT NULL DEFAULT 'bank_transfer' CHECK (method IN ('bank_transfer', 'cash', 'stripe_connect')),
    external_reference text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payouts_merchant_idx ON payouts (merchant_id, created_at);

-- What the platform owes each merchant, as signed entries (positive: owed to the merchant).
CREATE TABLE ledger_entries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint NOT NULL REFERENCES merchants (id),
    kind text NOT NULL CHECK (kind IN ('sale', 'platform_fee', 'refund', 'fee_reversal', 'payout')),
    amount bigint NOT NULL,
    currency text NOT NULL DEFAULT 'VND',
    order_id bigint REFERENCES orders (id),
    refund_id bigint REFERENCES refunds (id),
    payout_id bigint REFERENCES payouts (id),
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_merchant_idx ON ledger_entries (merchant_id, created_at, id);
-- An order is credited once and charged its fee once, however often its payment is confirmed.
CREATE UNIQUE INDEX ledger_entries_order_once ON ledger_entries (order_id, kind)
    WHERE kind IN ('sale', 'platform_fee');
CREATE UNIQUE INDEX ledger_entries_refund_once ON ledger_entries (refund_id, kind) WHERE refund_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_payout_once ON ledger_entries (payout_id) WHERE payout_id IS NOT NULL;
