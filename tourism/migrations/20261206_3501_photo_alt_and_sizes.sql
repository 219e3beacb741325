-- Attraction photos get alt text per locale (what a screen reader says; the caption is what is printed under
-- it) and each rendition's pixel size, so pages set width/height (no layout shift) and a srcset.
ALTER TABLE tourism.attraction_photos
    ADD COLUMN alt jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(alt) = 'object'),
    ADD COLUMN sizes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sizes) = 'object');
-- Until now the caption was the only text and pages used it as the alt text.
UPDATE tourism.attraction_photos SET alt = caption WHERE alt = '{}';
