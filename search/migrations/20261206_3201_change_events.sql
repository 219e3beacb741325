-- The change log: one row per domain event (a listing created, updated or deleted, feedback created or resolved,
-- a merchant approved), written in the same transaction as the change by `search.changes.record_event`.
-- Outgoing webhooks and the /api/v1/changes feed read it. It lives in the lowest package with tables so that
-- tourism and marketplace both write to it without tourism importing marketplace.
CREATE TABLE change_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type text NOT NULL CHECK (event_type ~ '^[a-z_]{1,40}\.[a-z_]{1,40}$'),
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    -- The order readers see, given after commit by one sequencer at a time (NULL until then). Identity values
    -- are taken at insert, not at commit, so a reader paging by `id` could pass over a row whose transaction
    -- commits late; positions are only ever given to committed rows, in increasing order.
    position bigint UNIQUE
);
CREATE INDEX change_events_unsequenced_idx ON change_events (id) WHERE position IS NULL;
