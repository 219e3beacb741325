"""PostgresEngine: the embedded default search engine on the application's own database.

This module and `search.pg_query` are this engine's data access layer, so its SQL stays here rather than in
`search.repository`: the engine *is* a repository of search documents, and its statements (the tsvectors, the
vocabulary it keeps exact, the one search statement) only make sense next to the code that builds their values.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence

import asyncpg
import msgspec

from i18n import localize
from search.errors import SearchUnavailable
from search.models import FacetCount, SearchDocument, SearchHit, SearchQuery, SearchResult, Suggestion
from search.pg_query import CANDIDATE_LIMIT, QueryTerms, build_search_sql, plan_terms
from search.text import MIN_VARIANT_LENGTH, deletions, document_terms, highlight, is_cjk, typed_words

__all__ = ["PostgresEngine"]

log = logging.getLogger("search.postgres")

MAX_POSITION = 16383
"""PostgreSQL's largest tsvector position; later words share it."""
MAX_POSITIONS_PER_LEXEME = 256

_COLUMNS = """id, kind, category, commune_code, lat, lng, geo, price_min, price_max, rating,
    ocop_stars, popularity, available, merchant_id, updated_at, tsv, tsv_name, name_tokens, name_all, words,
    typed_name_words, typed_text_words, document, indexed_at"""
_ON_CONFLICT = """ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, category = EXCLUDED.category,
    commune_code = EXCLUDED.commune_code, lat = EXCLUDED.lat, lng = EXCLUDED.lng, geo = EXCLUDED.geo,
    price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max, rating = EXCLUDED.rating,
    ocop_stars = EXCLUDED.ocop_stars, popularity = EXCLUDED.popularity, available = EXCLUDED.available,
    merchant_id = EXCLUDED.merchant_id, updated_at = EXCLUDED.updated_at, tsv = EXCLUDED.tsv,
    tsv_name = EXCLUDED.tsv_name, name_tokens = EXCLUDED.name_tokens, name_all = EXCLUDED.name_all,
    words = EXCLUDED.words, typed_name_words = EXCLUDED.typed_name_words,
    typed_text_words = EXCLUDED.typed_text_words, document = EXCLUDED.document, indexed_at = now()"""
# Built from the module constants above only (S608): no input reaches these strings.
UPSERT_SQL = f"""
INSERT INTO search_documents ({_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6,
    CASE WHEN $5::float8 IS NULL OR $6::float8 IS NULL THEN NULL ELSE ll_to_earth($5, $6) END,
    $7, $8, $9, $10, $11, $12, $13, $14, $15::tsvector, $16::tsvector, $17::text::jsonb, $18, $19::text[],
    $20::text[], $21::text[], $22::text::jsonb, now())
{_ON_CONFLICT}
"""  # noqa: S608
# Large batches (a reindex) go through COPY into a table of this transaction, then one INSERT ... SELECT:
# one round trip and no per-row statement, where executemany binds and runs the statement row by row.
COPY_MIN_ROWS = 100
STAGE_TABLE = "search_documents_stage"
CREATE_STAGE_SQL = f"""
CREATE TEMP TABLE {STAGE_TABLE} (id text, kind text, category text, commune_code integer, lat float8, lng float8,
    price_min bigint, price_max bigint, rating real, ocop_stars smallint, popularity integer, available boolean,
    merchant_id bigint, updated_at timestamptz, tsv text, tsv_name text, name_tokens text, name_all text,
    words text[], typed_name_words text[], typed_text_words text[], document text) ON COMMIT DROP
"""
UPSERT_FROM_STAGE_SQL = f"""
INSERT INTO search_documents ({_COLUMNS})
SELECT id, kind, category, commune_code, lat, lng,
    CASE WHEN lat IS NULL OR lng IS NULL THEN NULL ELSE ll_to_earth(lat, lng) END,
    price_min, price_max, rating, ocop_stars, popularity, available, merchant_id, updated_at, tsv::tsvector,
    tsv_name::tsvector, name_tokens::jsonb, name_all, words, typed_name_words, typed_text_words, document::jsonb,
    now()
FROM {STAGE_TABLE} ORDER BY id
{_ON_CONFLICT}
"""  # noqa: S608
LOCK_WORDS_SQL = "SELECT id, words FROM search_documents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE"
DELETE_SQL = "DELETE FROM search_documents WHERE id = ANY($1::text[])"
LOCK_VOCABULARY_SQL = "SELECT word FROM search_vocabulary WHERE word = ANY($1::text[]) ORDER BY word FOR UPDATE"
ADD_VOCABULARY_SQL = """
INSERT INTO search_vocabulary (word, ndoc)
SELECT w, n FROM unnest($1::text[], $2::int[]) AS t(w, n) ORDER BY w
ON CONFLICT (word) DO UPDATE SET ndoc = search_vocabulary.ndoc + EXCLUDED.ndoc
"""
PRUNE_VOCABULARY_SQL = "DELETE FROM search_vocabulary WHERE word = ANY($1::text[]) AND ndoc <= 0"
ADD_VARIANTS_SQL = """
INSERT INTO search_vocabulary_variants (variant, word)
SELECT v, w FROM unnest($1::text[], $2::text[]) AS t(v, w) ORDER BY v, w
ON CONFLICT DO NOTHING
"""
SUGGEST_SQL = """
SELECT c.document::text AS document FROM (
    SELECT d.document, d.available, d.popularity,
           3 * (d.tsv_name @@ $1::tsquery)::int + 10 * ts_rank(d.tsv_name, $1::tsquery) AS s
    FROM search_documents d WHERE d.tsv_name @@ $1::tsquery LIMIT 200
) c ORDER BY c.available DESC, c.s DESC, c.popularity DESC LIMIT $2
"""
# Custom plans: see search(). Candidates must be read from the start of the heap, which is in popularity
# order after optimize(): a synchronized seq scan would start where another scan stopped, and parallel
# workers interleave blocks; both skew the estimated total and which listings are ranked.
CUSTOM_PLANS_SQL = (
    "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL synchronize_seqscans = off; "
    "SET LOCAL max_parallel_workers_per_gather = 0"
)
DID_YOU_MEAN_SQL = """
SELECT q.token, best.word FROM unnest($1::text[]) AS q(token)
CROSS JOIN LATERAL (
    SELECT v.word FROM search_vocabulary v WHERE v.word % q.token
    ORDER BY similarity(v.word, q.token) DESC, v.ndoc DESC, v.word LIMIT 1
) best
"""


class _Hit(msgspec.Struct):
    score: float
    distance_m: float | None
    document: SearchDocument


_decode_hits = msgspec.json.Decoder(list[_Hit]).decode
_decode_facets = msgspec.json.Decoder(list[tuple[str, str, int]]).decode
_encode = msgspec.json.Encoder().encode


def _tsvector(weighted_terms: Sequence[tuple[str, Sequence[list[str]]]]) -> str:
    """A tsvector literal: each text's terms at increasing positions with its weight letter."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, texts in weighted_terms:
        for terms in texts:
            for term in terms:
                position = min(position + 1, MAX_POSITION)
                slots = positions.setdefault(term, [])
                if len(slots) < MAX_POSITIONS_PER_LEXEME:
                    slots.append(f"{position}{weight}")
    return " ".join(
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(slots)
        for term, slots in positions.items()
    )


def _vocabulary(term_lists: Iterable[list[str]]) -> list[str]:
    """The words typo correction may suggest: every term but CJK grams, one letter and numbers."""
    return sorted({term for terms in term_lists for term in terms
                   if len(term) >= 2 and not term.isdigit() and not is_cjk(term)})


def _row(document: SearchDocument) -> tuple[object, ...]:
    # Each text is folded and split once: the tsvectors, the name tokens and the vocabulary share the terms.
    name_terms = {locale: document_terms(text) for locale, text in document.name.items()}
    summary_terms = [document_terms(text) for text in document.summary.values()]
    text_terms = [document_terms(text) for text in document.text.values()]
    names = list(name_terms.values())
    point = document.point
    return (
        document.id, document.kind, document.category, document.commune_code,
        point.lat if point else None, point.lng if point else None,
        document.price_min, document.price_max, document.rating, document.ocop_stars,
        document.popularity, document.available, document.merchant_id, document.updated_at,
        _tsvector([("A", names), ("B", summary_terms), ("C", text_terms)]),
        _tsvector([("A", names)]),
        _encode({locale: " ".join(sorted(set(terms))) for locale, terms in name_terms.items()}).decode(),
        " ".join(" ".join(terms) for terms in names),
        _vocabulary([*names, *summary_terms, *text_terms]),
        sorted(typed_words(" ".join(document.name.values()))),
        sorted(typed_words(" ".join([*document.summary.values(), *document.text.values()]))),
        _encode(document).decode(),
    )


def _snippet(
    document: SearchDocument, locale: str, terms: set[str], prefixes: tuple[str, ...]
) -> tuple[str, str | None]:
    """The first summary or text that matches, in the visitor's locale first, then in any other."""
    for field in (document.summary, document.text):
        for text_locale in sorted(field, key=lambda candidate: candidate != locale):
            marked = highlight(field[text_locale], terms, prefixes)
            if "<mark>" in marked:
                return marked, text_locale
    return "", None


class PostgresEngine:
    """Full-text GIN search with typo expansion, prefixes, geo and facets, in the application's database."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def setup(self) -> None:
        """The tables come from the search migrations; check that they are there."""
        async with self._pool.acquire() as connection:
            if await connection.fetchval("SELECT to_regclass('search_documents')") is None:
                raise SearchUnavailable("search_documents is missing: run the migrations first")

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Add or replace documents and keep the vocabulary's counts exact; unpublished ones are removed."""
        latest = {document.id: document for document in documents}
        published = [latest[key] for key in sorted(latest) if latest[key].published]
        removed = sorted(key for key, document in latest.items() if not document.published)
        rows = [_row(document) for document in published]
        async with self._pool.acquire() as connection, connection.transaction():
            old_words = await self._lock(connection, sorted(latest))
            delta: Counter[str] = Counter()
            for words_before in old_words.values():
                delta.subtract(words_before)
            for row in rows:
                delta.update(row[18])  # type: ignore[arg-type]
            await self._apply_vocabulary(connection, delta)
            if len(rows) >= COPY_MIN_ROWS:
                await connection.execute(CREATE_STAGE_SQL)
                await connection.copy_records_to_table(STAGE_TABLE, records=rows)
                await connection.execute(UPSERT_FROM_STAGE_SQL)
            elif rows:
                await connection.executemany(UPSERT_SQL, rows)
            if removed:
                await connection.execute(DELETE_SQL, removed)

    async def delete(self, document_ids: Sequence[str]) -> None:
        """Remove documents and their words' counts."""
        ids = sorted(set(document_ids))
        if not ids:
            return
        async with self._pool.acquire() as connection, connection.transaction():
            old_words = await self._lock(connection, ids)
            delta: Counter[str] = Counter()
            for words_before in old_words.values():
                delta.subtract(words_before)
            await self._apply_vocabulary(connection, delta)
            await connection.execute(DELETE_SQL, ids)

    @staticmethod
    async def _lock(connection: asyncpg.Connection, ids: list[str]) -> dict[str, list[str]]:
        rows = await connection.fetch(LOCK_WORDS_SQL, ids)
        return {row["id"]: list(row["words"]) for row in rows}

    @staticmethod
    async def _apply_vocabulary(connection: asyncpg.Connection, delta: Counter[str]) -> None:
        changed = sorted(word for word, count in delta.items() if count)
        if not changed:
            return
        # Rows are locked in word order so concurrent indexers cannot deadlock on the vocabulary.
        await connection.execute(LOCK_VOCABULARY_SQL, changed)
        await connection.execute(ADD_VOCABULARY_SQL, changed, [delta[word] for word in changed])
        gone = [word for word in changed if delta[word] < 0]
        if gone:
            await connection.execute(PRUNE_VOCABULARY_SQL, gone)
        variants: list[str] = []
        owners: list[str] = []
        for word in changed:
            if delta[word] > 0 and len(word) >= MIN_VARIANT_LENGTH:
                for variant in {word} | deletions(word):
                    variants.append(variant)
                    owners.append(word)
        if variants:
            await connection.execute(ADD_VARIANTS_SQL, variants, owners)

    async def search(self, query: SearchQuery) -> SearchResult:
        """Run a query in two round trips: expand the words, then one statement for hits and facets."""
        started = time.perf_counter()
        async with self._pool.acquire() as connection, connection.transaction(readonly=True):
            # asyncpg prepares statements; after five runs PostgreSQL may switch to a generic plan, which
            # cannot see the geo box, the filters or the tsquery and was measured 10-30x slower. SET LOCAL
            # ends with the transaction: no session state is left behind (PgBouncer in transaction mode).
            await connection.execute(CUSTOM_PLANS_SQL)
            terms = await plan_terms(connection, query.text)
            row = await self._run(connection, query, terms)
            did_you_mean = None
            if row["matched"] == 0 and terms.unknown:
                did_you_mean = await self._did_you_mean(connection, terms)
                if len(terms.unknown) < len(terms.tokens):
                    # Words no listing contains would make every query with them empty: drop them.
                    terms = terms.without_unknown()
                    row = await self._run(connection, query, terms)
            matched: int = row["matched"]
            hits = _decode_hits(row["hits"])
        facets: dict[str, list[FacetCount]] = {name: [] for name in query.facets}
        for name, value, count in _decode_facets(row["facets"]):
            facets[name].append(FacetCount(value, count))
        for counts in facets.values():
            counts.sort(key=lambda facet: (-facet.count, facet.value))
        total = matched
        if row["browse_total"] is not None:
            total = row["browse_total"]
        elif matched >= CANDIDATE_LIMIT:
            # Candidates are read in heap order; the share of the heap read so far estimates the total.
            total = max(matched, round(matched * max(row["relpages"], 1) / (row["last_block"] + 1)))
        return SearchResult(
            hits=[self._hit(hit, terms, query.locale) for hit in hits],
            facets=facets,
            estimated_total=total,
            page=query.page,
            per_page=query.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            did_you_mean=did_you_mean,
        )

    @staticmethod
    async def _run(connection: asyncpg.Connection, query: SearchQuery, terms: QueryTerms) -> asyncpg.Record:
        sql = build_search_sql(query, terms)
        return await connection.fetchrow(sql.text, *sql.params)

    @staticmethod
    def _hit(hit: _Hit, terms: QueryTerms, locale: str) -> SearchHit:
        document = hit.document
        matched_terms = terms.highlight_terms()
        prefixes = (terms.prefix,) if terms.prefix else ()
        title = highlight(localize(document.name, locale), matched_terms, prefixes)
        snippet, snippet_locale = "", None
        # Without words (browsing, nearby lists) nothing can match: scanning every summary and text of every
        # locale for nothing took half the CPU of an attraction page.
        if "<mark>" not in title and (matched_terms or prefixes):
            snippet, snippet_locale = _snippet(document, locale, matched_terms, prefixes)
        return SearchHit(document=document, highlight=title, snippet=snippet, snippet_locale=snippet_locale,
                         score=round(hit.score, 4), distance_m=hit.distance_m)

    @staticmethod
    async def _did_you_mean(connection: asyncpg.Connection, terms: QueryTerms) -> str | None:
        rows = await connection.fetch(DID_YOU_MEAN_SQL, terms.unknown)
        replacements = {row["token"]: row["word"] for row in rows}
        if not replacements:
            return None
        return " ".join(replacements.get(token, token) for token in terms.tokens)

    async def suggest(self, text: str, locale: str, limit: int = 8) -> list[Suggestion]:
        """Names that match what is typed so far, best first, in the visitor's locale."""
        limit = max(1, min(limit, 8))
        async with self._pool.acquire() as connection:
            terms = await plan_terms(connection, text)
            if terms.empty:
                return []
            rows = await connection.fetch(SUGGEST_SQL, terms.tsquery(), limit * 2)
        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for row in rows:
            document = msgspec.json.decode(row["document"], type=SearchDocument)
            label = localize(document.name, locale)
            if label and label not in seen:
                seen.add(label)
                suggestions.append(Suggestion(label, document.kind, document.url_path))
        return suggestions[:limit]

    async def get_ids(self) -> set[str]:
        """Every indexed document id."""
        async with self._pool.acquire() as connection:
            return {row["id"] for row in await connection.fetch("SELECT id FROM search_documents")}

    async def clear(self) -> None:
        """Remove every document and the vocabulary."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("TRUNCATE search_documents, search_vocabulary_variants, search_vocabulary")

    async def optimize(self) -> None:
        """Order the heap by popularity (capped candidates are then the most popular) and refresh statistics."""
        async with self._pool.acquire() as connection:
            await connection.execute("CLUSTER search_documents USING search_documents_popularity_idx")
            await connection.execute("ANALYZE search_documents, search_vocabulary, search_vocabulary_variants")

    async def close(self) -> None:
        """Nothing to release: the pool belongs to the application."""
