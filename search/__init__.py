"""Search: the engine protocol, documents and queries, the PostgreSQL and Meilisearch engines, the outbox indexer."""
