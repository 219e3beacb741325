-- Tourists' feedback: a problem or a suggestion about an attraction, a shop or a spot, routed to the officials of its
-- commune (and, for an attraction, to the tourism editors), followed by its reporter through a private link whose
-- token is kept only as a SHA-256 hash.
CREATE TABLE feedback (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    category text NOT NULL
        CHECK (category IN ('cleanliness', 'overcharging', 'safety', 'wrong_information', 'other')),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    attraction_id bigint REFERENCES tourism.attractions (id) ON DELETE SET NULL,
    merchant_id bigint REFERENCES merchants (id) ON DELETE SET NULL,
    -- The commune it is routed to: the attraction's or the shop's, or the one the reporter chose for a spot.
    commune_code integer,
    place text CHECK (length(place) <= 200),
    lat double precision CHECK (lat BETWEEN -90 AND 90),
    lng double precision CHECK (lng BETWEEN -180 AND 180),
    photo_key text,
    photo_urls jsonb,
    reporter_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    reporter_email text CHECK (length(reporter_email) <= 254),
    locale text NOT NULL DEFAULT 'vi',
    status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'assigned', 'resolved')),
    assigned_to bigint REFERENCES users (id) ON DELETE SET NULL,
    assigned_at timestamptz,
    reply text CHECK (length(reply) <= 2000),
    resolved_by bigint REFERENCES users (id) ON DELETE SET NULL,
    resolved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lng IS NULL)),
    CHECK (status <> 'resolved' OR (reply IS NOT NULL AND resolved_at IS NOT NULL))
);
CREATE INDEX feedback_inbox_idx ON feedback (commune_code, status, created_at DESC);
CREATE INDEX feedback_attraction_idx ON feedback (attraction_id) WHERE attraction_id IS NOT NULL;
CREATE INDEX feedback_created_idx ON feedback (created_at);
CREATE INDEX feedback_resolved_idx ON feedback (resolved_at) WHERE resolved_at IS NOT NULL;
