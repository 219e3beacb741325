-- Tourism: attractions with photos, events, and visitors' trips, in their own schema.
CREATE SCHEMA IF NOT EXISTS tourism;

CREATE TABLE tourism.attractions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name jsonb NOT NULL CHECK (jsonb_typeof(name) = 'object' AND name <> '{}'),
    summary jsonb NOT NULL DEFAULT '{}',
    description jsonb NOT NULL DEFAULT '{}',
    category text NOT NULL,
    -- Ward/commune code from vietnam-provinces, and the dataset version it was resolved against:
    -- codes differ between releases, so a code without its version is ambiguous.
    commune_code integer,
    commune_name text,
    commune_dataset_version text,
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    coord_accuracy text NOT NULL DEFAULT 'unknown',
    opening_hours jsonb NOT NULL DEFAULT '{}',
    fees jsonb NOT NULL DEFAULT '[]',
    accessibility jsonb NOT NULL DEFAULT '{}',
    tips jsonb NOT NULL DEFAULT '{}',
    best_season jsonb NOT NULL DEFAULT '{}',
    verified_on date,
    source text,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX attractions_listing_idx ON tourism.attractions (status, category, commune_code);
CREATE INDEX attractions_verified_on_idx ON tourism.attractions (verified_on NULLS FIRST);

CREATE TABLE tourism.attraction_photos (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attraction_id bigint NOT NULL REFERENCES tourism.attractions (id) ON DELETE CASCADE,
    key text NOT NULL,
    urls jsonb NOT NULL DEFAULT '{}',
    caption jsonb NOT NULL DEFAULT '{}',
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attraction_photos_attraction_idx ON tourism.attraction_photos (attraction_id, position, id);

CREATE TABLE tourism.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name jsonb NOT NULL CHECK (jsonb_typeof(name) = 'object' AND name <> '{}'),
    summary jsonb NOT NULL DEFAULT '{}',
    description jsonb NOT NULL DEFAULT '{}',
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    recurrence text NOT NULL DEFAULT 'none' CHECK (recurrence IN ('none', 'yearly')),
    -- 'approximate': a lunar/Cham-calendar event whose window is the usual Gregorian one,
    -- not a date the province has announced.
    date_precision text NOT NULL DEFAULT 'exact' CHECK (date_precision IN ('exact', 'approximate')),
    calendar_note jsonb NOT NULL DEFAULT '{}',
    attraction_id bigint REFERENCES tourism.attractions (id) ON DELETE SET NULL,
    venue jsonb NOT NULL DEFAULT '{}',
    lat double precision CHECK (lat BETWEEN -90 AND 90),
    lng double precision CHECK (lng BETWEEN -180 AND 180),
    source text,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    CHECK ((lat IS NULL) = (lng IS NULL))
);
CREATE INDEX events_dates_idx ON tourism.events (status, starts_on);

-- A trip belongs to whoever holds its edit token (an HttpOnly cookie), signed in or not; only the
-- token's hash is stored. The share token opens a read-only view. user_id has no foreign key
-- because accounts live in a package above this one.
CREATE TABLE tourism.trips (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edit_token_hash bytea NOT NULL UNIQUE,
    share_token text NOT NULL UNIQUE,
    user_id bigint,
    title text NOT NULL DEFAULT '' CHECK (length(title) <= 120),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trips_user_idx ON tourism.trips (user_id) WHERE user_id IS NOT NULL;

-- A stop keeps a copy of the name and point of what was saved (an experience lives in another
-- package and is known here only through search), so a shared trip renders without lookups.
CREATE TABLE tourism.trip_stops (
    trip_id bigint NOT NULL REFERENCES tourism.trips (id) ON DELETE CASCADE,
    document_id text NOT NULL CHECK (document_id ~ '^(attraction|experience):[A-Za-z0-9_-]{1,80}$'),
    name jsonb NOT NULL,
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    url_path text NOT NULL DEFAULT '',
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trip_id, document_id)
);
