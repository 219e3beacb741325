-- Notifications: one row per person and event (the in-app inbox, read or unread), one delivery row per channel
-- (the outbox the background worker sends from), each person's channel choices, and booking tickets.

CREATE TABLE notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    locale text NOT NULL,
    -- What the templates need to write the message (order number, amounts, names, links); never read back
    -- from other tables at sending time, so the message says what was true when the event happened.
    data jsonb NOT NULL DEFAULT '{}',
    transactional boolean NOT NULL,
    -- The same event enqueued twice (a retried webhook...) is one notification.
    dedupe_key text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);

CREATE TABLE notification_deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel text NOT NULL CHECK (channel IN ('email', 'sms', 'zalo')),
    recipient text NOT NULL,
    -- pending: due at next_attempt_at; sending: claimed by a worker until lease_until; sent; dead: gave up
    -- after the last try; held: no channel of this kind is configured (shown to admins, never sent).
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'held')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claim_token uuid,
    lease_until timestamptz,
    last_error text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at)
    WHERE state IN ('pending', 'sending');
CREATE INDEX notification_deliveries_notification_idx ON notification_deliveries (notification_id);
CREATE INDEX notification_deliveries_state_idx ON notification_deliveries (state, id DESC);

CREATE TABLE notification_preferences (
    user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email boolean NOT NULL DEFAULT true,
    sms boolean NOT NULL DEFAULT true,
    zalo boolean NOT NULL DEFAULT false,
    -- Mail that is not transactional (updates, notices); the one-click unsubscribe turns it off.
    notices boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A booked experience's ticket: one per order line with a slot, for `guests` people, used once at check-in.
CREATE TABLE tickets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    order_item_id bigint NOT NULL UNIQUE REFERENCES order_items (id) ON DELETE CASCADE,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    code text NOT NULL UNIQUE,
    guests integer NOT NULL CHECK (guests > 0),
    issued_at timestamptz NOT NULL DEFAULT now(),
    checked_in_at timestamptz,
    checked_in_by bigint REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX tickets_order_idx ON tickets (order_id);
