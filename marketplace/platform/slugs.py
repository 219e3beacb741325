"""Readable URL slugs free of diacritics (đ -> d), made unique per table."""

import re
import unicodedata
from collections.abc import Awaitable, Callable

import asyncpg

from marketplace.platform.errors import Conflict
from marketplace.platform.repository import list_taken_slugs

__all__ = ["slugify", "unique_slug", "insert_with_slug"]

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_SLUG_LENGTH = 80


def slugify(text: str, fallback: str = "item") -> str:
    """'Nho đỏ Ninh Thuận' -> 'nho-do-ninh-thuan'; NFKD drops the marks, đ/Đ have no decomposition."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_WORD.sub("-", ascii_text).strip("-")[:MAX_SLUG_LENGTH].strip("-")
    return slug or fallback


async def unique_slug(conn: asyncpg.Connection, table: str, text: str, fallback: str = "item") -> str:
    """The slug of `text`, with -2, -3... appended when it is taken."""
    base = slugify(text, fallback)
    taken = await list_taken_slugs(conn, table, base)
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def insert_with_slug(
    conn: asyncpg.Connection,
    table: str,
    text: str,
    fallback: str,
    insert: Callable[[str], Awaitable[int]],
    attempts: int = 5,
) -> tuple[int, str]:
    """Insert a row under a free slug; when a concurrent insert takes the same slug first, try the next one."""
    for _ in range(attempts):
        slug = await unique_slug(conn, table, text, fallback)
        try:
            # A savepoint, so a lost race does not abort the caller's transaction.
            async with conn.transaction():
                return await insert(slug), slug
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != f"{table}_slug_key":
                raise
    raise Conflict("Too many listings with this name are being created at once; try again.", code="slug_busy")
