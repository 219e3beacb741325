"""The benchmark's SQL: emptying or creating the search tables it fills, and measuring what it loaded."""

import asyncpg

__all__ = ["exists_search_tables", "delete_search_documents", "apply_migration", "get_documents_size",
           "count_vocabulary"]

EXISTS_SQL = "SELECT to_regclass('search_documents')"
TRUNCATE_SQL = "TRUNCATE search_documents, search_vocabulary_variants, search_vocabulary"
SIZE_SQL = "SELECT pg_size_pretty(pg_total_relation_size('search_documents'))"
COUNT_VOCABULARY_SQL = "SELECT count(*) FROM search_vocabulary"


async def exists_search_tables(connection: asyncpg.Connection) -> bool:
    """Whether the search migrations already ran in this database."""
    return await connection.fetchval(EXISTS_SQL) is not None


async def delete_search_documents(connection: asyncpg.Connection) -> None:
    """Empty the documents and the vocabulary (a previous run's data)."""
    await connection.execute(TRUNCATE_SQL)


async def apply_migration(connection: asyncpg.Connection, script: str) -> None:
    """Run one of the search package's migration files."""
    await connection.execute(script)


async def get_documents_size(connection: asyncpg.Connection) -> str:
    """search_documents with its indexes, as PostgreSQL prints sizes ("1944 kB")."""
    return await connection.fetchval(SIZE_SQL)


async def count_vocabulary(connection: asyncpg.Connection) -> int:
    """Distinct words the engine knows."""
    return await connection.fetchval(COUNT_VOCABULARY_SQL)
