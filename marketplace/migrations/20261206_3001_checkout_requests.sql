-- A checkout request remembered by its idempotency key (the API's Idempotency-Key header, or the checkout
-- form's one-time token), per buyer: a repeat gets the stored answer instead of a second order.
CREATE TABLE checkout_requests (
    buyer_user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    checkout_id bigint NOT NULL REFERENCES checkouts (id) ON DELETE CASCADE,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (buyer_user_id, idempotency_key)
);
CREATE INDEX checkout_requests_created_idx ON checkout_requests (created_at);
