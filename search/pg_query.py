"""Turning a SearchQuery into the PostgreSQL engine's tsquery and its one search statement.

Part of the PostgreSQL engine's data access layer (with `search.postgres`): the parameterised search SQL is
assembled here from this module's constant fragments, every value travelling as a `$n` parameter.
"""

from dataclasses import dataclass, field

import asyncpg

from search.dictionary import expansions
from search.errors import InvalidSearch
from search.models import FACET_FIELDS, SearchQuery
from search.text import MIN_TYPO_LENGTH, deletions, document_terms, is_cjk, one_edit_apart, query_tokens, spellings

__all__ = ["QueryTerms", "plan_terms", "build_search_sql", "SqlStatement", "CANDIDATE_LIMIT", "RERANK_WINDOW"]

CANDIDATE_LIMIT = 1000
"""Matches ranked per query; totals and facets are exact below it and estimated above (as in Meilisearch)."""
RERANK_WINDOW = 50
"""The best first-stage candidates get the costlier second-stage score."""
MAX_COMPLETIONS = 16
"""A prefix with more completions than this is matched as `prefix:*` instead of a list of words."""
MAX_TYPO_WORDS = 5
BROWSE_COUNT_LIMIT = 100_000

TERMS_SQL = """
SELECT 'known' AS role, word AS token, word, ndoc FROM search_vocabulary WHERE word = ANY($1::text[])
UNION ALL
SELECT 'typo', q.token, v.word, s.ndoc
FROM unnest($2::text[], $3::text[]) AS q(token, variant)
JOIN search_vocabulary_variants v ON v.variant = q.variant
JOIN search_vocabulary s ON s.word = v.word
UNION ALL
(SELECT 'prefix', $4, word, ndoc FROM search_vocabulary
 WHERE word >= $4 AND word < $5 ORDER BY ndoc DESC, word LIMIT $6)
"""


@dataclass
class QueryTerms:
    """The query as index terms: one group of alternatives per typed token, groups ANDed."""

    groups: list[list[str]] = field(default_factory=list)
    prefix: str | None = None
    """The last token when it is matched as `prefix:*`."""
    unknown: list[str] = field(default_factory=list)
    """Tokens that are not in the vocabulary (candidates for "did you mean")."""
    tokens: list[str] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)
    """The query's words as typed (tone marks kept), lower-cased."""

    @property
    def empty(self) -> bool:
        return not self.groups

    def tsquery(self) -> str:
        """The tsquery text; every lexeme quoted, so nothing typed can change its structure."""
        parts = []
        for group in self.groups:
            alternatives = [_phrase(term) for term in group]
            if self.prefix is not None and group is self.groups[-1]:
                alternatives.append(_quote(self.prefix) + ":*")
            parts.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(parts)

    def without_unknown(self) -> "QueryTerms":
        """The same query without the words no document contains (Meilisearch drops words similarly)."""
        kept = [(t, g) for t, g in zip(self.tokens, self.groups, strict=True) if t not in self.unknown]
        return QueryTerms(groups=[g for _, g in kept], prefix=self.prefix, tokens=[t for t, _ in kept],
                          spellings=self.spellings)

    def highlight_terms(self) -> set[str]:
        return {word for group in self.groups for term in group for word in term.split(" ")}

    def folded_text(self) -> str:
        return " ".join(self.tokens)


def _phrase(alternative: str) -> str:
    """One alternative of a group: a lexeme, or a dictionary phrase whose lexemes must all match."""
    if " " not in alternative:
        return _quote(alternative)
    return "(" + " & ".join(_quote(lexeme) for lexeme in alternative.split(" ")) + ")"


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _upper_bound(prefix: str) -> str:
    """The smallest string after every string starting with `prefix` (in C collation)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def plan_terms(connection: asyncpg.Connection, text: str, *, typing: bool = True) -> QueryTerms:
    """Expand typed words: typos of 5+ letters to known words one edit away, the last word as a prefix."""
    tokens = list(dict.fromkeys(query_tokens(text)))
    terms = QueryTerms(tokens=tokens, spellings=spellings(text))
    if not tokens:
        return terms
    last = tokens[-1]
    # The last word is still being typed unless the text ends with a space or punctuation.
    prefix = last if typing and not is_cjk(last) and text[-1:].isalnum() else None
    typo_tokens, variants = [], []
    for token in tokens:
        if len(token) >= MIN_TYPO_LENGTH and not is_cjk(token):
            for variant in {token} | deletions(token):
                typo_tokens.append(token)
                variants.append(variant)
    rows = await connection.fetch(
        TERMS_SQL, tokens, typo_tokens, variants, prefix, _upper_bound(prefix) if prefix else None,
        MAX_COMPLETIONS + 1,
    )
    known = {row["word"] for row in rows if row["role"] == "known"}
    completions = [row["word"] for row in rows if row["role"] == "prefix"]
    typos: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        if row["role"] == "typo" and row["token"] not in known and one_edit_apart(row["token"], row["word"]):
            typos.setdefault(row["token"], []).append((row["ndoc"], row["word"]))
    for token in tokens:
        group = [token]
        best = sorted(set(typos.get(token, ())), reverse=True)[:MAX_TYPO_WORDS]
        group.extend(word for _, word in best)
        if token == prefix:
            if len(completions) > MAX_COMPLETIONS:
                terms.prefix = prefix
            else:
                group.extend(word for word in completions if word != token)
        if token not in known and len(group) == 1 and terms.prefix != token and not is_cjk(token):
            terms.unknown.append(token)
        terms.groups.append(list(dict.fromkeys(group)))
    return _expand(terms)


def _expand(terms: QueryTerms) -> QueryTerms:
    """Add the dictionary's spellings in every locale: "grape" also matches "nho", "葡萄", "포도"...

    A phrase of several tokens ("fish sauce") becomes one group whose alternatives are phrases ("nuoc mam").
    """
    spans = expansions(terms.tokens)
    if not spans:
        return terms
    tokens: list[str] = []
    groups: list[list[str]] = []
    cursor = 0
    for start, end, alternatives in spans:
        tokens.extend(terms.tokens[cursor:start])
        groups.extend(terms.groups[cursor:start])
        if end - start == 1:
            group = terms.groups[start]
        else:
            group = [" ".join(terms.tokens[start:end])]
        groups.append(list(dict.fromkeys([*group, *alternatives])))
        tokens.append(" ".join(terms.tokens[start:end]))
        for token in terms.tokens[start:end]:
            if token in terms.unknown:
                terms.unknown.remove(token)
            if terms.prefix == token:
                terms.prefix = None
        cursor = end
    tokens.extend(terms.tokens[cursor:])
    groups.extend(terms.groups[cursor:])
    terms.tokens, terms.groups = tokens, groups
    return terms


@dataclass
class SqlStatement:
    """SQL assembled from constant fragments only; every value travels as a numbered parameter."""

    params: list[object] = field(default_factory=list)
    text: str = ""

    def param(self, value: object) -> str:
        self.params.append(value)
        return f"${len(self.params)}"


_SORT_KEYS = {
    "relevance": "(r.rn > {window}), r.score DESC",
    "distance": "r.distance_m ASC NULLS LAST",
    "price_asc": "r.price_min ASC NULLS LAST",
    "price_desc": "r.price_max DESC NULLS LAST",
    "rating": "r.rating DESC NULLS LAST",
    "popularity": "r.popularity DESC",
    "newest": "r.updated_at DESC NULLS LAST",
}

_FACET_SQL = {
    "kind": "SELECT 'kind' AS f, kind AS v, count(*) AS n FROM cand GROUP BY kind",
    "category": "SELECT 'category', category, count(*) FROM cand WHERE category IS NOT NULL GROUP BY category",
    "commune_code": "SELECT 'commune_code', commune_code::text, count(*) FROM cand "
    "WHERE commune_code IS NOT NULL GROUP BY commune_code",
    "ocop_stars": "SELECT 'ocop_stars', ocop_stars::text, count(*) FROM cand "
    "WHERE ocop_stars IS NOT NULL GROUP BY ocop_stars",
}


def _filters(query: SearchQuery, sql: SqlStatement) -> list[str]:
    f = query.filters
    where = []
    if f.kinds:
        where.append(f"d.kind = ANY({sql.param(list(f.kinds))}::text[])")
    if f.categories:
        where.append(f"d.category = ANY({sql.param(list(f.categories))}::text[])")
    if f.commune_codes:
        where.append(f"d.commune_code = ANY({sql.param(list(f.commune_codes))}::int[])")
    # A price filter keeps listings whose price range overlaps the asked range.
    if f.price_min is not None:
        where.append(f"d.price_max >= {sql.param(f.price_min)}::bigint")
    if f.price_max is not None:
        where.append(f"d.price_min <= {sql.param(f.price_max)}::bigint")
    if f.min_rating is not None:
        where.append(f"d.rating >= {sql.param(f.min_rating)}::real")
    if f.min_ocop_stars is not None:
        where.append(f"d.ocop_stars >= {sql.param(f.min_ocop_stars)}::smallint")
    if f.available_only:
        where.append("d.available")
    if f.merchant_id is not None:
        where.append(f"d.merchant_id = {sql.param(f.merchant_id)}::bigint")
    if query.exclude_ids:
        where.append(f"NOT (d.id = ANY({sql.param(list(query.exclude_ids))}::text[]))")
    return where


# Every fragment formatted into this is a constant of this module; all values travel as $n parameters.
SEARCH_SQL = """
WITH cand AS MATERIALIZED (
    SELECT d.id, d.kind, d.category, d.commune_code, d.ocop_stars, d.available, d.popularity,
           d.price_min, d.price_max, d.rating, d.updated_at,
           {first_stage} AS s0, {distance} AS distance_m, (d.ctid::text::point)[0]::bigint AS blk
    FROM search_documents d
    WHERE {where_sql}
    {candidate_order}
    LIMIT {candidate_limit}
),
pre AS (
    SELECT c.*, row_number() OVER (ORDER BY c.available DESC, c.s0 DESC, c.id) AS rn FROM cand c
),
ranked AS ({ranked}),
page AS (
    SELECT r.id, r.score, r.distance_m, row_number() OVER () AS pos
    FROM (SELECT * FROM ranked r ORDER BY r.available DESC, {order}, r.s0 DESC, r.id
          OFFSET {offset} LIMIT {limit}) r
)
SELECT (SELECT count(*) FROM cand) AS matched,
       (SELECT max(blk) FROM cand) AS last_block,
       {browse_total} AS browse_total,
       (SELECT relpages FROM pg_class WHERE oid = 'search_documents'::regclass) AS relpages,
       (SELECT coalesce(json_agg(json_build_array(f, v, n)), '[]') FROM ({facets}) x(f, v, n))::text AS facets,
       (SELECT coalesce(json_agg(json_build_object('score', pg.score, 'distance_m', pg.distance_m,
                                                   'document', d.document) ORDER BY pg.pos), '[]')
        FROM page pg JOIN search_documents d ON d.id = pg.id)::text AS hits
"""
# The share of the query's words found as typed (tone marks included) among a listing's words, in its names
# and in its other text: "nho" (grape) ranks a grape listing above one that only says "nhỏ" (small). The
# listing's words as typed are split and lower-cased at indexing time (`search.text.typed_words`): splitting
# every candidate's texts with a regular expression here took half the time of a text query.
SPELLING_SQL = (
    "(SELECT count(*) FROM unnest({words}::text[]) AS q(word) WHERE q.word = ANY({column}))::float8 / {count}"
)
RERANKED_SQL = """
    SELECT p.*, p.s0 + {stage_two} AS score
    FROM pre p JOIN search_documents d ON d.id = p.id
    WHERE p.rn <= {window}
    UNION ALL
    SELECT p.*, p.s0 AS score FROM pre p WHERE p.rn > {window}
"""
# Browsing has no second stage (`stage_two` None): its candidates are not looked up again.
NOT_RERANKED_SQL = "SELECT p.*, p.s0 AS score FROM pre p"
SPELLING_NAME_WEIGHT = 3
SPELLING_TEXT_WEIGHT = 1.5
POPULARITY_SCORE = "0.5 * ln(1 + greatest(d.popularity, 0)) / ln(10001)"
NO_FACETS_SQL = "SELECT NULL::text, NULL::text, NULL::bigint WHERE false"


@dataclass(frozen=True)
class _Ranking:
    """How candidates are chosen and scored."""

    first_stage: str
    """The cheap score every candidate gets."""
    stage_two: str | None
    """The costlier score added for the best RERANK_WINDOW candidates (None: no second stage)."""
    candidate_order: str
    """The order candidates are read in when there is no text to match (empty otherwise)."""


def _check_facets(query: SearchQuery) -> None:
    for facet in query.facets:
        if facet not in FACET_FIELDS:
            raise InvalidSearch(f"unknown facet {facet!r}", {"facets": list(FACET_FIELDS)})


def _geo(query: SearchQuery, sql: SqlStatement, where: list[str]) -> tuple[str | None, str]:
    """The search origin (None without geo) and the distance expression; adds the radius to `where`."""
    if query.geo is None:
        return None, "NULL::float8"
    origin = f"ll_to_earth({sql.param(query.geo.lat)}::float8, {sql.param(query.geo.lng)}::float8)"
    radius = f"{sql.param(float(query.geo.radius_m))}::float8"
    where.append(f"earth_box({origin}, {radius}) @> d.geo AND earth_distance({origin}, d.geo) <= {radius}")
    return origin, f"earth_distance({origin}, d.geo)"


def _browse_ranking(query: SearchQuery, origin: str | None) -> _Ranking:
    """Without text: popularity only, candidates read nearest first for a distance sort, else most popular."""
    if query.sort == "distance" and origin is not None:
        return _Ranking(POPULARITY_SCORE, None, f"ORDER BY d.geo <-> {origin}")
    return _Ranking(POPULARITY_SCORE, None, "ORDER BY d.popularity DESC, d.id")


def _text_ranking(query: SearchQuery, terms: QueryTerms, sql: SqlStatement, where: list[str]) -> _Ranking:
    """With text: candidates must match the tsquery; names weigh most, exact names win in the second stage."""
    q = f"{sql.param(terms.tsquery())}::tsquery"
    where.insert(0, f"d.tsv @@ {q}")
    first_stage = f"3 * (d.tsv_name @@ {q})::int + 10 * ts_rank(d.tsv_name, {q}) + {POPULARITY_SCORE}"
    folded = sql.param(terms.folded_text())
    exact = sql.param(" ".join(sorted(set(document_terms(terms.folded_text())))))
    locale = sql.param(query.locale)
    stage_two = (
        f"2 * ts_rank('{{0.05, 0.2, 0.5, 1.0}}', d.tsv, {q}) + 2 * similarity(d.name_all, {folded})"  # noqa: S608
        f" + 3 * coalesce(d.name_tokens->>{locale} = {exact}, false)::int"
        f" + 2 * (EXISTS (SELECT 1 FROM jsonb_each_text(d.name_tokens) e WHERE e.value = {exact}))::int"
        f" + coalesce(array_to_tsvector(string_to_array(d.name_tokens->>{locale}, ' ')) @@ {q}, false)::int"
    )
    return _Ranking(first_stage, stage_two + _spelling_score(terms, sql), "")


def _spelling_score(terms: QueryTerms, sql: SqlStatement) -> str:
    """The bonus of listings that contain the query's words spelled as typed (nothing for CJK-only text)."""
    if not terms.spellings:
        return ""
    values = {"words": sql.param(terms.spellings), "count": len(terms.spellings)}
    return (
        f" + {SPELLING_NAME_WEIGHT} * " + SPELLING_SQL.format(column="d.typed_name_words", **values)
        + f" + {SPELLING_TEXT_WEIGHT} * " + SPELLING_SQL.format(column="d.typed_text_words", **values)
    )


def _page_order(query: SearchQuery) -> str:
    """The sort key of the page; a distance sort without a point falls back to relevance."""
    sort = query.sort if (query.sort != "distance" or query.geo is not None) else "relevance"
    return _SORT_KEYS[sort].format(window=RERANK_WINDOW)


def _browse_total(terms: QueryTerms, where_sql: str) -> str:
    """Browsing without text reads candidates in popularity order, so their heap blocks say nothing
    about the total: count instead (lazily, only when the candidates were capped), up to a bound."""
    if not terms.empty:
        return "NULL::bigint"
    return (
        f"CASE WHEN (SELECT count(*) FROM cand) >= {CANDIDATE_LIMIT} THEN (SELECT count(*) FROM "  # noqa: S608
        f"(SELECT 1 FROM search_documents d WHERE {where_sql} LIMIT {BROWSE_COUNT_LIMIT}) b) END"
    )


def build_search_sql(query: SearchQuery, terms: QueryTerms) -> SqlStatement:
    """One statement: capped candidates, facet counts, a two-stage ranked page, all as one JSON row."""
    _check_facets(query)
    sql = SqlStatement()
    # The order of these calls is the order of the $n parameters.
    where = _filters(query, sql)
    origin, distance = _geo(query, sql, where)
    ranking = _browse_ranking(query, origin) if terms.empty else _text_ranking(query, terms, sql, where)
    offset = sql.param((query.page - 1) * query.per_page)
    limit = sql.param(query.per_page)
    where_sql = " AND ".join(where) or "true"
    ranked = NOT_RERANKED_SQL if ranking.stage_two is None else RERANKED_SQL.format(
        stage_two=ranking.stage_two, window=RERANK_WINDOW)
    sql.text = SEARCH_SQL.format(
        first_stage=ranking.first_stage, distance=distance, where_sql=where_sql,
        candidate_order=ranking.candidate_order, candidate_limit=CANDIDATE_LIMIT, ranked=ranked,
        order=_page_order(query), offset=offset, limit=limit,
        browse_total=_browse_total(terms, where_sql),
        facets=" UNION ALL ".join(_FACET_SQL[f] for f in dict.fromkeys(query.facets)) or NO_FACETS_SQL,
    )
    return sql
