-- Autocomplete matches names only: its own small GIN index avoids reading every description match.
CREATE INDEX search_documents_tsv_name_idx ON search_documents USING gin (tsv_name);
