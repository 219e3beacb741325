"""Admin operations behind `marketplace search reindex|check`: rebuild from the database, report drift."""

import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import asyncpg
import msgspec

from search import repository
from search.engine import SearchEngine
from search.models import SearchDocument
from search.sources import DocumentSource

__all__ = ["reindex", "check", "DriftReport", "ProgressBar"]

Progress = Callable[[int, int | None], None]
"""Called with (documents done, total or None when the sources cannot count)."""


class DriftReport(msgspec.Struct, frozen=True, kw_only=True):
    """What differs between the listings the database publishes and the documents the engine holds."""

    database_count: int
    engine_count: int
    missing: list[str]
    """Published in the database, absent from the engine."""
    extra: list[str]
    """In the engine, but deleted or unpublished in the database."""
    pending_outbox: int
    """Changes not yet indexed; drift they explain will disappear once the indexer catches up."""

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"database: {self.database_count} published documents; engine: {self.engine_count} documents",
            f"missing from the engine: {len(self.missing)}; extra in the engine: {len(self.extra)}; "
            f"outbox rows pending: {self.pending_outbox}",
        ]
        lines += [f"  missing {document_id}" for document_id in self.missing[:20]]
        lines += [f"  extra   {document_id}" for document_id in self.extra[:20]]
        lines.append("in sync" if self.ok else "DRIFT: run `marketplace search reindex`")
        return "\n".join(lines)


async def _published(pool: asyncpg.Pool, source: DocumentSource) -> list[SearchDocument]:
    async with pool.acquire() as connection, connection.transaction(readonly=True):
        return [document async for document in source.iter_all(connection) if document.published]


async def _count(pool: asyncpg.Pool, sources: Sequence[DocumentSource]) -> int | None:
    total = 0
    for source in sources:
        count = getattr(source, "count", None)
        if count is None:
            return None
        async with pool.acquire() as connection:
            total += await count(connection)
    return total


async def reindex(
    pool: asyncpg.Pool,
    engine: SearchEngine,
    sources: Sequence[DocumentSource],
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> int:
    """Upsert every published document, then delete what the database no longer has; returns the count.

    The index stays searchable throughout. Changes made meanwhile also go through the outbox, so the
    indexer settles any document this pass read just before it changed.
    """
    await engine.setup()
    total = await _count(pool, sources)
    done = 0
    seen: set[str] = set()
    for source in sources:
        async with pool.acquire() as connection, connection.transaction(readonly=True):
            batch: list[SearchDocument] = []
            async for document in source.iter_all(connection):
                if not document.published:
                    continue
                batch.append(document)
                seen.add(document.id)
                if len(batch) >= batch_size:
                    await engine.upsert(batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total)
            if batch:
                await engine.upsert(batch)
                done += len(batch)
                if progress:
                    progress(done, total)
    stale = sorted((await engine.get_ids()) - seen)
    for start in range(0, len(stale), batch_size):
        await engine.delete(stale[start : start + batch_size])
    optimize = getattr(engine, "optimize", None)
    if optimize is not None:
        await optimize()
    return done


async def check(pool: asyncpg.Pool, engine: SearchEngine, sources: Sequence[DocumentSource]) -> DriftReport:
    """Compare the ids the database publishes with the ids in the engine."""
    expected: set[str] = set()
    for source in sources:
        expected.update(document.id for document in await _published(pool, source))
    indexed = await engine.get_ids()
    async with pool.acquire() as connection:
        pending = await repository.count_outbox_rows(connection)
    return DriftReport(
        database_count=len(expected),
        engine_count=len(indexed),
        missing=sorted(expected - indexed),
        extra=sorted(indexed - expected),
        pending_outbox=pending,
    )


class ProgressBar:
    """A one-line terminal progress bar to pass as `progress=` (falls back to a counter without a total)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self._stream = stream or sys.stderr
        self._width = width
        self._started = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        rate = done / max(time.monotonic() - self._started, 1e-6)
        if total:
            filled = min(self._width, self._width * done // total)
            bar = "#" * filled + "-" * (self._width - filled)
            line = f"\r[{bar}] {done}/{total} ({rate:.0f}/s)"
        else:
            line = f"\r{done} documents ({rate:.0f}/s)"
        self._stream.write(line)
        self._stream.flush()

    def finish(self) -> None:
        """End the line."""
        self._stream.write("\n")
        self._stream.flush()
