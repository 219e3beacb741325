-- Korean name of the textiles category as the catalogs now say it (brocade is not always silk).
UPDATE categories SET name = name || '{"ko": "직물과 전통 직조물"}'::jsonb WHERE slug = 'textiles';
