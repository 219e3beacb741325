-- An experience's order line keeps the date and time of the slot that was booked.
ALTER TABLE order_items ADD COLUMN starts_at timestamptz;
