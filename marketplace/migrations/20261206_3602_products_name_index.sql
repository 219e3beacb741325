-- The home page's products after editors' picks and the popular ones: public listings by Vietnamese name, read
-- from this index instead of sorting every product (200 ms at 100k products).
CREATE INDEX products_public_name_idx ON products ((name ->> 'vi'), id)
    WHERE status = 'published' AND deleted_at IS NULL;
