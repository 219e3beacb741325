"""What is near a point: producers, products, experiences and attractions, through the search engine."""

import logging
from typing import Annotated, Protocol

import msgspec

from i18n import LocalizedText
from search.models import GeoFilter, SearchFilters, SearchQuery, SearchResult

__all__ = [
    "NEARBY_KINDS",
    "DEFAULT_RADIUS_M",
    "MAX_RADIUS_M",
    "RADIUS_CHOICES_M",
    "NearbyItem",
    "Nearby",
    "Searcher",
    "find_nearby",
    "RadiusM",
]

log = logging.getLogger("tourism.nearby")

# Shown in this order on a page: what a visitor can buy from first, other sights last.
NEARBY_KINDS: tuple[str, ...] = ("merchant", "product", "experience", "attraction")
DEFAULT_RADIUS_M = 10_000
MAX_RADIUS_M = 100_000
RADIUS_CHOICES_M: tuple[int, ...] = (2_000, 5_000, 10_000, 25_000, 50_000)
RadiusM = Annotated[int, msgspec.Meta(ge=100, le=MAX_RADIUS_M)]
PER_KIND = 6


class Searcher(Protocol):
    """The part of the search engine nearby needs."""

    async def search(self, query: SearchQuery) -> SearchResult: ...


class NearbyItem(msgspec.Struct, frozen=True, kw_only=True):
    """One place or listing near the point."""

    id: str
    kind: str
    name: LocalizedText
    summary: LocalizedText = {}
    url_path: str
    distance_m: float
    lat: float | None = None
    lng: float | None = None
    category: str | None = None
    image_url: str | None = None
    price_min: int | None = None
    ocop_stars: int | None = None


class Nearby(msgspec.Struct, frozen=True, kw_only=True):
    """Results by kind, nearest first; `available` is False when the search engine could not answer."""

    lat: float
    lng: float
    radius_m: int
    groups: dict[str, list[NearbyItem]]
    available: bool = True

    @property
    def empty(self) -> bool:
        return not any(self.groups.values())


async def find_nearby(
    searcher: Searcher | None,
    lat: float,
    lng: float,
    radius_m: int = DEFAULT_RADIUS_M,
    *,
    locale: str = "vi",
    exclude_ids: tuple[str, ...] = (),
    per_kind: int = PER_KIND,
    kinds: tuple[str, ...] = NEARBY_KINDS,
) -> Nearby:
    """The nearest listings of each kind within `radius_m` of the point, nearest first."""
    radius_m = max(100, min(radius_m, MAX_RADIUS_M))
    groups: dict[str, list[NearbyItem]] = {kind: [] for kind in kinds}
    if searcher is None:
        return Nearby(lat=lat, lng=lng, radius_m=radius_m, groups=groups, available=False)
    for kind in kinds:
        query = SearchQuery(
            locale=locale,
            filters=SearchFilters(kinds=(kind,)),  # type: ignore[arg-type]
            geo=GeoFilter(lat=lat, lng=lng, radius_m=radius_m),
            sort="distance",
            per_page=per_kind,
            exclude_ids=exclude_ids,
        )
        try:
            result = await searcher.search(query)
        except Exception:  # the page must render while search is down; the engine logs its own error
            log.warning("nearby search failed", exc_info=True)
            return Nearby(lat=lat, lng=lng, radius_m=radius_m, groups=groups, available=False)
        for hit in result.hits:
            document = hit.document
            if hit.distance_m is None or hit.distance_m > radius_m or document.id in exclude_ids:
                continue
            groups[kind].append(
                NearbyItem(
                    id=document.id,
                    kind=document.kind,
                    name=document.name,
                    summary=document.summary,
                    url_path=document.url_path,
                    distance_m=hit.distance_m,
                    lat=document.point.lat if document.point else None,
                    lng=document.point.lng if document.point else None,
                    category=document.category,
                    image_url=document.image_url,
                    price_min=document.price_min,
                    ocop_stars=document.ocop_stars,
                )
            )
        groups[kind].sort(key=lambda item: item.distance_m)
    return Nearby(lat=lat, lng=lng, radius_m=radius_m, groups=groups)
