-- The PostgreSQL search engine's index: one row per published listing, its vocabulary, and the query log.

-- Text is folded (lower case, no diacritics, đ -> d) and tokenised in Python (search/text.py) so that
-- documents and queries share one function; CJK runs are indexed as character unigrams and bigrams.
CREATE TABLE search_documents (
    id text PRIMARY KEY,
    kind text NOT NULL,
    category text,
    commune_code integer,
    lat double precision,
    lng double precision,
    geo earth,
    price_min bigint,
    price_max bigint,
    rating real,
    ocop_stars smallint,
    popularity integer NOT NULL DEFAULT 0,
    available boolean NOT NULL DEFAULT true,
    merchant_id bigint,
    updated_at timestamptz,
    -- Weighted lexemes: A names (all locales), B summaries, C longer text.
    tsv tsvector NOT NULL,
    -- Names only, kept small so first-stage ranking does not detoast the full vector.
    tsv_name tsvector NOT NULL,
    -- Folded name tokens per locale, for exact-name and visitor-locale boosts in the second stage.
    name_tokens jsonb NOT NULL DEFAULT '{}',
    -- All folded names in one string, for trigram similarity in the second stage.
    name_all text NOT NULL DEFAULT '',
    -- Distinct vocabulary words of this document, to keep search_vocabulary counts exact on change.
    words text[] NOT NULL DEFAULT '{}',
    document jsonb NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE EXTERNAL;
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_geo_idx ON search_documents USING gist (geo);
CREATE INDEX search_documents_popularity_idx ON search_documents (popularity DESC, id);
CREATE INDEX search_documents_kind_idx ON search_documents (kind, popularity DESC);
CREATE INDEX search_documents_category_idx ON search_documents (category, popularity DESC);
CREATE INDEX search_documents_commune_idx ON search_documents (commune_code, popularity DESC);

-- Every word in the index with the number of documents holding it: typo expansion, prefixes, "did you mean".
CREATE TABLE search_vocabulary (
    word text COLLATE "C" PRIMARY KEY,
    ndoc integer NOT NULL
);
CREATE INDEX search_vocabulary_trgm_idx ON search_vocabulary USING gin (word gin_trgm_ops);

-- SymSpell: each word of 4+ letters under itself and each of its one-letter deletions. Two words are
-- within one edit when their variant sets meet, so a typo is corrected with one indexed lookup.
CREATE TABLE search_vocabulary_variants (
    variant text COLLATE "C" NOT NULL,
    word text COLLATE "C" NOT NULL REFERENCES search_vocabulary (word) ON DELETE CASCADE,
    PRIMARY KEY (variant, word)
);
CREATE INDEX search_vocabulary_variants_word_idx ON search_vocabulary_variants (word);

-- What visitors search for and how many results they got, for the province's reports. No personal data.
CREATE TABLE search_queries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    query text NOT NULL,
    locale text NOT NULL,
    result_count integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_queries_created_at_idx ON search_queries (created_at);
