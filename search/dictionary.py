"""The multilingual dictionary of the province's products, places and activities (search/dictionary.txt).

One line is one concept in the eight locales ("nho", "grape", "葡萄", "포도", "ぶどう", "виноград", "raisin",
"عنب"). Meilisearch receives it as synonyms; the PostgreSQL engine expands a query's words with it. Either way a
visitor finds a listing written only in Vietnamese by typing in their own language.
"""

from functools import cache
from importlib import resources

from search.text import query_tokens

__all__ = ["concepts", "synonyms", "expansions", "MAX_PHRASE_TOKENS"]

MAX_PHRASE_TOKENS = 4
"""The longest dictionary phrase looked for in a query, in tokens ("vườn quốc gia" is 3)."""


@cache
def concepts() -> tuple[tuple[str, ...], ...]:
    """Every concept's spellings, in every locale."""
    text = resources.files("search").joinpath("dictionary.txt").read_text(encoding="utf-8")
    found: list[tuple[str, ...]] = []
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in lines[1:]:  # the first line names the columns
        terms = [term.strip() for column in line.split("\t") for term in column.split("|")]
        found.append(tuple(dict.fromkeys(term.lower() for term in terms if term)))
    return tuple(found)


@cache
def synonyms() -> dict[str, list[str]]:
    """Each spelling -> every other spelling of the concepts it belongs to (Meilisearch's `synonyms`)."""
    merged: dict[str, dict[str, None]] = {}
    for terms in concepts():
        for term in terms:
            merged.setdefault(term, {}).update((other, None) for other in terms if other != term)
    return {term: list(others) for term, others in merged.items()}


@cache
def _phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """A spelling's query tokens -> the query tokens of every spelling of its concepts, each joined by spaces."""
    expanded: dict[tuple[str, ...], dict[str, None]] = {}
    for terms in concepts():
        token_lists = [tuple(query_tokens(term)) for term in terms]
        alternatives = {" ".join(tokens): None for tokens in token_lists if tokens}
        for tokens in token_lists:
            if tokens and len(tokens) <= MAX_PHRASE_TOKENS:
                expanded.setdefault(tokens, {}).update(alternatives)
    return {key: tuple(value) for key, value in expanded.items()}


def expansions(tokens: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Spans of the query's tokens that spell a concept, longest first from the left, with their alternatives.

    Each alternative is the query tokens of one spelling joined by spaces (a phrase whose tokens must all match).
    """
    phrases = _phrases()
    found: list[tuple[int, int, tuple[str, ...]]] = []
    start = 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + MAX_PHRASE_TOKENS), start, -1):
            alternatives = phrases.get(tuple(tokens[start:end]))
            if alternatives:
                found.append((start, end, alternatives))
                start = end
                break
        else:
            start += 1
    return found
