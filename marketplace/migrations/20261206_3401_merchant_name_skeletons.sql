-- The confusable skeleton of each language's shop name (i18n.confusables.confusable_skeleton), written with
-- the name, so the approval queue can flag a pending shop whose name looks like an approved one's.
-- NULL for rows written before this column: the approval queue fills them in (the skeleton is Python's).
ALTER TABLE merchants ADD COLUMN name_skeletons text[];
CREATE INDEX merchants_approved_name_skeletons_idx ON merchants USING gin (name_skeletons)
    WHERE status = 'approved';
