-- Outgoing webhooks: endpoints admins register, one delivery row per (event, endpoint) written when the change
-- log sequences the event, and a log of every attempt.
CREATE TABLE webhook_endpoints (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
    -- The signing secret sealed with AES-GCM under a key derived from SECRET_KEY (nonce || ciphertext): it must
    -- be readable to sign, so it cannot be hashed like a password; sealed, a copy of the database alone does
    -- not let anyone forge our signatures. Shown once, when created.
    secret_sealed bytea NOT NULL,
    -- The first characters of the secret, so an admin can tell which one a receiver holds.
    secret_hint text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES change_events (id) ON DELETE CASCADE,
    -- pending: due at next_attempt_at; sending: claimed by a worker until lease_until; delivered: the receiver
    -- answered 2xx; failed: given up 24 hours after the delivery was created. One endpoint's deliveries go out
    -- one at a time in id order (ids follow the events' positions): the worker only takes the oldest unfinished one.
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    claim_token uuid,
    lease_until timestamptz,
    last_status integer,
    last_error text,
    finished_at timestamptz,
    -- Set on a copy an admin asked to send again, pointing at the delivery it repeats.
    resend_of bigint REFERENCES webhook_deliveries (id) ON DELETE SET NULL
);
CREATE INDEX webhook_deliveries_open_idx ON webhook_deliveries (endpoint_id, id) WHERE state IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

CREATE TABLE webhook_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL,
    response_status integer,
    -- The start of the receiver's answer or the error (bounded: a receiver cannot fill our database).
    response_excerpt text NOT NULL DEFAULT '' CHECK (length(response_excerpt) <= 1000)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
