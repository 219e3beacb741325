-- Housekeeping finds unused anonymous trips by their last change (issue 10, point 3).
CREATE INDEX trips_anonymous_updated_idx ON tourism.trips (updated_at) WHERE user_id IS NULL;
