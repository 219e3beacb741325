-- Officials: provincial or commune officers who read the province's indicators (read-only on business data).
ALTER TABLE users DROP CONSTRAINT users_roles_known;
ALTER TABLE users ADD CONSTRAINT users_roles_known CHECK (
    roles <@ ARRAY['customer', 'merchant', 'community_agent', 'editor', 'admin', 'official']::text[]
);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_roles_known;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_roles_known CHECK (
    roles <@ ARRAY['customer', 'merchant', 'community_agent', 'editor', 'admin', 'official']::text[]
);

-- An official's scope: the whole province (commune_code NULL) or one commune.
CREATE TABLE officials (
    user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    province_code integer NOT NULL,
    commune_code integer,
    granted_by bigint REFERENCES users (id) ON DELETE SET NULL,
    granted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officials_commune_idx ON officials (commune_code);

-- Indicators per month and commune (commune_code 0: the whole province), computed from the live tables by
-- the indicators job and kept here so that pages and exports read one row instead of scanning the trade.
CREATE TABLE indicator_snapshots (
    period date NOT NULL CHECK (extract(day FROM period) = 1),
    commune_code integer NOT NULL,
    figures jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, commune_code)
);
