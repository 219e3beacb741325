-- How often each attraction's poster QR code was scanned, per day (one row per attraction and day, no
-- personal data): the province's indicators count them.
CREATE TABLE tourism.poster_scans (
    attraction_id bigint NOT NULL REFERENCES tourism.attractions (id) ON DELETE CASCADE,
    day date NOT NULL,
    scans integer NOT NULL DEFAULT 0,
    PRIMARY KEY (attraction_id, day)
);
