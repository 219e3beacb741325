"""The benchmark's query categories, built from the same vocabulary as the synthetic listings."""

import random
from collections.abc import Callable
from dataclasses import dataclass

from search.bench.corpus import CATEGORIES, COMMUNES, ENGLISH, OTHER_LOCALES, PHAN_RANG, SYLLABLES
from search.models import DOCUMENT_KINDS, GeoFilter, SearchFilters, SearchQuery
from search.text import fold

__all__ = ["Category", "query_mix"]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiounhtg") + word[i + 1 :]


@dataclass
class Category:
    """A named kind of query, and how to draw one at random."""

    name: str
    make: Callable[[random.Random], SearchQuery]


def query_mix() -> list[Category]:
    """Query categories from the SEARCH-NOTES mix, built from the same vocabulary as the documents."""
    long_words = [fold(w) for w in SYLLABLES if len(fold(w)) >= 5]

    def text(t: str, **kw: object) -> SearchQuery:
        return SearchQuery(text=t, **kw)  # type: ignore[arg-type]

    return [
        Category("plain vi", lambda r: text(" ".join(r.sample(SYLLABLES, 2)) + " ")),
        Category("plain en", lambda r: text(" ".join(r.sample(ENGLISH, 2)) + " ", locale="en")),
        Category("no diacritics", lambda r: text(" ".join(fold(w) for w in r.sample(SYLLABLES, 2)) + " ")),
        Category("typo", lambda r: text(_typo(r.choice(long_words), r) + " " + fold(r.choice(SYLLABLES)) + " ")),
        Category("prefix (typing)", lambda r: text(fold(r.choice(SYLLABLES)) + " " + fold(r.choice(SYLLABLES))[:2])),
        Category("common words", lambda r: text(r.choice(("nho", "ninh thuan", "thap cham", "nho ninh thuan")))),
        Category("filters + facets", lambda r: text(
            fold(r.choice(SYLLABLES)) + " ", filters=SearchFilters(kinds=(r.choice(DOCUMENT_KINDS),),
                                                                    categories=r.sample(CATEGORIES, 3)),
            facets=("kind", "category", "commune_code", "ocop_stars"))),
        Category("geo radius + distance", lambda r: text(
            fold(r.choice(SYLLABLES)) + " ", sort="distance",
            geo=GeoFilter(lat=PHAN_RANG[0] + r.uniform(-0.3, 0.3), lng=PHAN_RANG[1] + r.uniform(-0.3, 0.3),
                          radius_m=10_000))),
        Category("CJK", lambda r: text(r.choice(OTHER_LOCALES["zh"] + OTHER_LOCALES["ja"]), locale="zh")),
        Category("browse (no text)", lambda r: SearchQuery(
            filters=SearchFilters(commune_codes=(r.choice(COMMUNES),)), facets=("kind", "category"))),
    ]
