-- Housekeeping finds unused anonymous carts by their last change (issue 10, point 3).
CREATE INDEX carts_anonymous_updated_idx ON carts (updated_at) WHERE user_id IS NULL;
