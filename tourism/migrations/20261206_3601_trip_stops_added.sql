-- The home page counts trip saves of the last 90 days as an attraction's popularity: read them by date.
CREATE INDEX trip_stops_added_idx ON tourism.trip_stops (added_at);
