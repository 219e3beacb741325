-- A shop's gallery: photos its merchant uploads through the image pipeline, with alt text per locale and each
-- rendition's pixel size (pages set srcset and width/height from it); the first is the shop's picture in search.
CREATE TABLE merchant_photos (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    storage_key text NOT NULL,
    urls jsonb NOT NULL CHECK (jsonb_typeof(urls) = 'object'),
    sizes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sizes) = 'object'),
    alt jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(alt) = 'object'),
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchant_photos_merchant_idx ON merchant_photos (merchant_id, position, id);
