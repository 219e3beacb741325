-- OCOP batch traceability: a merchant records each batch (lot) of an OCOP product; the batch's QR labels lead
-- to a public page under its trace code, and every scan of a label is counted per day for the indicators.
CREATE TABLE product_batches (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    -- The public code printed in the QR link: random, so that codes cannot be guessed one from another.
    trace_code text NOT NULL UNIQUE CHECK (trace_code ~ '^[a-z2-9]{10}$'),
    -- The merchant's own lot number, unique within the merchant.
    batch_code text NOT NULL CHECK (length(batch_code) BETWEEN 1 AND 40),
    date_kind text NOT NULL CHECK (date_kind IN ('production', 'harvest')),
    produced_on date NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit text NOT NULL,
    certificates text[] NOT NULL DEFAULT '{}' CHECK (cardinality(certificates) <= 10),
    inputs_note text NOT NULL DEFAULT '' CHECK (length(inputs_note) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, batch_code)
);
CREATE INDEX product_batches_product_idx ON product_batches (product_id, produced_on DESC);

-- Scans of a batch's labels per day in the province's time zone (counts only, no personal data).
CREATE TABLE batch_scans (
    batch_id bigint NOT NULL REFERENCES product_batches (id) ON DELETE CASCADE,
    day date NOT NULL,
    scans integer NOT NULL DEFAULT 0 CHECK (scans >= 0),
    PRIMARY KEY (batch_id, day)
);
