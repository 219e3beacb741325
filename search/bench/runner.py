"""Loading the synthetic listings through an engine, then measuring latency per query category and throughput.

The same corpus and the same seeded query mix run on the PostgreSQL engine and, with a server, on
Meilisearch, so the two tables of one run compare like with like.
"""

import asyncio
import random
import statistics
import time
from importlib import resources

import asyncpg
import msgspec

from search.bench import repository
from search.bench.corpus import SYLLABLES, generate
from search.bench.queries import Category, query_mix
from search.engine import SearchEngine
from search.meili import MeilisearchEngine
from search.models import SearchDocument
from search.postgres import PostgresEngine
from search.text import fold

__all__ = ["run", "run_meilisearch"]

LOAD_BATCH = 500
LIVE_BATCH = 50
LIVE_DOCS = 5_000
MEILI_LOAD_BATCH = 10_000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _prepare_tables(pool: asyncpg.Pool) -> None:
    """Empty search tables: a previous run's are truncated, a new database gets the search migrations."""
    folder = resources.files("search").joinpath("migrations")
    async with pool.acquire() as connection:
        if await repository.exists_search_tables(connection):
            await repository.delete_search_documents(connection)
            return
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.name.endswith(".sql"):
                await repository.apply_migration(connection, item.read_text(encoding="utf-8"))


async def _load(pool: asyncpg.Pool, engine: PostgresEngine, docs: int) -> list[str]:
    """Upsert the listings in batches, cluster and analyse; the report's lines about the loaded data."""
    started = time.perf_counter()
    batch: list[SearchDocument] = []
    for document in generate(docs):
        batch.append(document)
        if len(batch) == LOAD_BATCH:
            await engine.upsert(batch)
            batch = []
    if batch:
        await engine.upsert(batch)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    await engine.optimize()
    optimize_s = time.perf_counter() - started
    live_docs, live_s = await _live_upserts(engine, docs)
    async with pool.acquire() as connection:
        size = await repository.get_documents_size(connection)
        vocabulary = await repository.count_vocabulary(connection)
    return [
        f"- documents: {docs:,}; vocabulary: {vocabulary:,} words; search_documents with indexes: {size}",
        f"- bulk load through `PostgresEngine.upsert` ({LOAD_BATCH} per batch, COPY): {load_s:.1f} s = "
        f"**{docs / load_s:,.0f} docs/s**; CLUSTER + ANALYZE: {optimize_s:.1f} s",
        f"- live upserts of existing listings ({LIVE_BATCH} per batch, row by row, as the indexer sends edits): "
        f"{live_docs:,} in {live_s:.1f} s = **{live_docs / live_s:,.0f} docs/s**",
    ]


async def _live_upserts(engine: PostgresEngine, docs: int) -> tuple[int, float]:
    """Re-send edited listings in small batches: what the indexer does while people edit."""
    edited = [msgspec.structs.replace(document, popularity=document.popularity + 1)
              for document in generate(min(docs, LIVE_DOCS), seed=7)]
    started = time.perf_counter()
    for start in range(0, len(edited), LIVE_BATCH):
        await engine.upsert(edited[start : start + LIVE_BATCH])
    return len(edited), time.perf_counter() - started


async def _load_meilisearch(engine: MeilisearchEngine, docs: int) -> list[str]:
    """Send the listings in batches of MEILI_LOAD_BATCH and wait for each task; the report's lines."""
    await engine.setup()
    await engine.clear()
    engine.batch_size = MEILI_LOAD_BATCH
    started = time.perf_counter()
    batch: list[SearchDocument] = []
    for document in generate(docs):
        batch.append(document)
        if len(batch) == MEILI_LOAD_BATCH:
            await engine.upsert(batch)
            batch = []
    if batch:
        await engine.upsert(batch)
    load_s = time.perf_counter() - started
    return [f"- documents: {docs:,}; load through `MeilisearchEngine.upsert` ({MEILI_LOAD_BATCH:,} per task, "
            f"each awaited): {load_s:.0f} s = {docs / load_s:,.0f} docs/s"]


async def _category_latencies(
    engine: SearchEngine, category: Category, rng: random.Random, count: int, overheads: list[float]
) -> tuple[list[float], list[int]]:
    """Milliseconds per query and hits per query for `count` queries of one category (after a warm-up).

    For Meilisearch, `overheads` receives what the engine adds to the server's own processingTimeMs.
    """
    queries = [category.make(rng) for _ in range(count)]
    for query in queries[:10]:  # warm-up
        await engine.search(query)
    latencies, hits = [], []
    for query in queries:
        t0 = time.perf_counter()
        result = await engine.search(query)
        latencies.append((time.perf_counter() - t0) * 1000)
        hits.append(result.estimated_total)
        server_ms = getattr(engine, "last_processing_ms", None)
        if server_ms is not None:
            overheads.append(latencies[-1] - server_ms)
    return latencies, hits


async def _suggest_latencies(engine: SearchEngine, rng: random.Random, count: int) -> list[float]:
    """Milliseconds per autocomplete call for `count` half-typed queries."""
    latencies = []
    for _ in range(count):
        typed = fold(rng.choice(SYLLABLES)) + " " + fold(rng.choice(SYLLABLES))[:2]
        t0 = time.perf_counter()
        await engine.suggest(typed, "vi")
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


async def _latency_table(engine: SearchEngine, mix: list[Category], per_category: int) -> list[str]:
    """One client: the Markdown table of latency percentiles per category, autocomplete and overall."""
    lines = ["", "| category | p50 ms | p95 ms | p99 ms | mean hits |", "|---|---|---|---|---|"]
    rng = random.Random(11)
    all_latencies: list[float] = []
    overheads: list[float] = []
    for category in mix:
        latencies, hits = await _category_latencies(engine, category, rng, per_category, overheads)
        all_latencies += latencies
        lines.append(f"| {category.name} | {_percentile(latencies, .5):.1f} | {_percentile(latencies, .95):.1f} "
                     f"| {_percentile(latencies, .99):.1f} | {statistics.mean(hits):,.0f} |")
    suggest_latencies = await _suggest_latencies(engine, rng, per_category)
    lines.append(f"| autocomplete (suggest) | {_percentile(suggest_latencies, .5):.1f} | "
                 f"{_percentile(suggest_latencies, .95):.1f} | {_percentile(suggest_latencies, .99):.1f} | – |")
    lines.append(f"| **all search categories** | **{_percentile(all_latencies, .5):.1f}** | "
                 f"**{_percentile(all_latencies, .95):.1f}** | **{_percentile(all_latencies, .99):.1f}** | |")
    if overheads:
        lines += ["", f"- `MeilisearchEngine` over Meilisearch's own processingTimeMs (HTTP, JSON, mapping): "
                      f"p50 {_percentile(overheads, .5):.1f} ms, p95 {_percentile(overheads, .95):.1f} ms, "
                      f"p99 {_percentile(overheads, .99):.1f} ms"]
    return lines


async def _throughput(engine: SearchEngine, mix: list[Category], clients: int, seconds: float) -> tuple[float, float]:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            query = rng.choice(mix).make(rng)
            t0 = time.perf_counter()
            await engine.search(query)
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return len(latencies) / (time.perf_counter() - started), _percentile(latencies, .99)


async def _measure(engine: SearchEngine, clients: int, seconds: float, per_category: int) -> list[str]:
    mix = query_mix()
    lines = await _latency_table(engine, mix, per_category)
    qps, p99 = await _throughput(engine, mix, clients, seconds)
    return lines + ["", f"- throughput with {clients} concurrent clients for {seconds:.0f} s over the same mix: "
                        f"**{qps:,.0f} queries/s**, p99 {p99:.1f} ms"]


async def run_meilisearch(url: str, api_key: str | None, docs: int, per_category: int, clients: int,
                          seconds: float) -> str:
    """The same corpus and mix on a Meilisearch server (index `bench_listings`, replaced)."""
    engine = MeilisearchEngine(url, api_key, index_uid="bench_listings", task_timeout_ms=3_600_000)
    try:
        lines = await _load_meilisearch(engine, docs)
        lines += await _measure(engine, clients, seconds, per_category)
    finally:
        await engine.close()
    return "\n".join(lines)


async def run(dsn: str, docs: int, per_category: int, clients: int, seconds: float) -> str:
    """Load, measure, and return the report as Markdown."""
    pool = await asyncpg.create_pool(dsn, min_size=clients + 1, max_size=clients + 2)
    try:
        await _prepare_tables(pool)
        engine = PostgresEngine(pool)
        lines = await _load(pool, engine, docs)
        lines += await _measure(engine, clients, seconds, per_category)
    finally:
        await pool.close()
    return "\n".join(lines)
