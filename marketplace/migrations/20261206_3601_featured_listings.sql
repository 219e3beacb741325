-- Listings editors put on the home page, in their order; the rest of each list falls back to popularity.
CREATE TABLE featured_listings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attraction_id bigint UNIQUE REFERENCES tourism.attractions (id) ON DELETE CASCADE,
    product_id bigint UNIQUE REFERENCES products (id) ON DELETE CASCADE,
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 99),
    chosen_by bigint REFERENCES users (id) ON DELETE SET NULL,
    chosen_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((attraction_id IS NULL) <> (product_id IS NULL))
);

-- Popularity counts the last 90 days of orders and reviews: read them by date, not by scanning the trade.
CREATE INDEX orders_created_idx ON orders (created_at);
CREATE INDEX reviews_created_idx ON reviews (created_at);
