"""A test-only listings table and its DocumentSource, standing in for a domain package."""

from collections.abc import AsyncIterator, Sequence

import asyncpg

from search.models import SearchDocument
from search.outbox import enqueue

CREATE_TABLE = """
CREATE TABLE test_listings (
    key text PRIMARY KEY,
    name_vi text NOT NULL,
    name_en text NOT NULL DEFAULT '',
    published boolean NOT NULL DEFAULT true,
    available boolean NOT NULL DEFAULT true
)
"""


class ListingSource:
    """Products from test_listings as search documents."""

    kinds = ("product",)

    @staticmethod
    def _document(row: asyncpg.Record) -> SearchDocument:
        name = {"vi": row["name_vi"]}
        if row["name_en"]:
            name["en"] = row["name_en"]
        return SearchDocument(
            id=f"product:{row['key']}", kind="product", slug=row["key"], name=name,
            published=row["published"], available=row["available"], url_path=f"/products/{row['key']}",
        )

    async def load(self, connection: asyncpg.Connection, ids: Sequence[str]) -> dict[str, SearchDocument]:
        keys = [i.partition(":")[2] for i in ids]
        rows = await connection.fetch("SELECT * FROM test_listings WHERE key = ANY($1::text[])", keys)
        return {f"product:{row['key']}": self._document(row) for row in rows}

    async def iter_all(self, connection: asyncpg.Connection) -> AsyncIterator[SearchDocument]:
        async for row in connection.cursor("SELECT * FROM test_listings WHERE published ORDER BY key"):
            yield self._document(row)


async def create_listings_table(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await connection.execute(CREATE_TABLE)


async def save_listing(pool: asyncpg.Pool, key: str, name_vi: str, **fields: object) -> None:
    """Insert or update a listing and enqueue it in the same transaction, as a domain service does."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(
            """
            INSERT INTO test_listings (key, name_vi, name_en, published, available)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (key) DO UPDATE SET name_vi = $2, name_en = $3, published = $4, available = $5
            """,
            key, name_vi, fields.get("name_en", ""), fields.get("published", True), fields.get("available", True),
        )
        await enqueue(connection, [f"product:{key}"])


async def delete_listing(pool: asyncpg.Pool, key: str) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("DELETE FROM test_listings WHERE key = $1", key)
        await enqueue(connection, [f"product:{key}"])
