"""Tourism's search documents: attractions and events, for the outbox indexer and reindexing."""

from collections.abc import AsyncIterator, Sequence

import asyncpg

from i18n import gettext
from i18n.forms import N_
from search.models import GeoPoint, SearchDocument
from tourism.attractions import repository as attractions
from tourism.attractions.models import Attraction
from tourism.attractions.service import iter_published_attractions
from tourism.events import repository as events
from tourism.events.models import Event

__all__ = ["TourismSource", "attraction_document", "event_document", "category_label", "CATEGORY_LABELS"]

CATEGORY_LABELS: dict[str, str] = {
    "beach": N_("Beach"), "heritage": N_("Heritage"), "nature": N_("Nature"), "craft_village": N_("Craft village"),
    "vineyard": N_("Vineyard"), "viewpoint": N_("Viewpoint"), "museum": N_("Museum"), "food": N_("Food"),
    "landmark": N_("Landmark"), "scenic_route": N_("Scenic route"), "religious": N_("Religious site"),
    "market": N_("Market"), "festival": N_("Festival"),
}


def category_label(value: str, locale: str) -> str | None:
    """The label of an attraction or event category in `locale` (a search.labels.CategoryLabeller)."""
    message = CATEGORY_LABELS.get(value)
    return gettext(message, locale) if message else None


# Preferred photo sizes for a result's thumbnail, smallest first.
THUMBNAIL_SIZES = ("thumb", "small", "card", "medium")


def _thumbnail(attraction: Attraction) -> str | None:
    if not attraction.photos:
        return None
    urls = attraction.photos[0].urls
    for size in THUMBNAIL_SIZES:
        if size in urls:
            return urls[size]
    return next(iter(urls.values()), None)


def _joined(*texts: dict[str, str]) -> dict[str, str]:
    """Several localized texts joined per locale, for the lower-weight full-text field."""
    joined: dict[str, str] = {}
    for text in texts:
        for locale, value in text.items():
            joined[locale] = f"{joined[locale]}\n{value}" if locale in joined else value
    return joined


def attraction_document(attraction: Attraction) -> SearchDocument:
    """An attraction as search sees it (its lowest entry fee as the price)."""
    fees = [fee.amount_vnd for fee in attraction.fees]
    return SearchDocument(
        id=attraction.document_id,
        kind="attraction",
        slug=attraction.slug,
        name=attraction.name,
        summary=attraction.summary,
        text=_joined(attraction.description, attraction.tips),
        category=attraction.category,
        commune_code=attraction.commune_code,
        point=GeoPoint(lat=attraction.lat, lng=attraction.lng),
        price_min=min(fees) if fees else None,
        price_max=max(fees) if fees else None,
        published=attraction.status == "published",
        image_url=_thumbnail(attraction),
        url_path=attraction.url_path,
        updated_at=attraction.updated_at,
    )


def event_document(event: Event) -> SearchDocument:
    """An event as search sees it, at its own point or its attraction's."""
    return SearchDocument(
        id=event.document_id,
        kind="event",
        slug=event.slug,
        name=event.name,
        summary=event.summary,
        text=_joined(event.description, event.venue, event.calendar_note),
        category="festival",
        point=GeoPoint(lat=event.lat, lng=event.lng) if event.lat is not None and event.lng is not None else None,
        published=event.status == "published",
        url_path=event.url_path,
        updated_at=event.updated_at,
    )


class TourismSource:
    """The DocumentSource for "attraction" and "event" documents (search.sources.DocumentSource)."""

    kinds: tuple[str, ...] = ("attraction", "event")

    async def load(self, connection: asyncpg.Connection, ids: Sequence[str]) -> dict[str, SearchDocument]:
        """Current documents for these ids; drafts come back unpublished so engines drop them."""
        keys: dict[str, list[str]] = {"attraction": [], "event": []}
        for document_id in ids:
            kind, _, key = document_id.partition(":")
            if kind in keys and key:
                keys[kind].append(key)
        found: dict[str, SearchDocument] = {}
        if keys["attraction"]:
            for attraction in await attractions.list_attractions_by_slugs(
                connection, keys["attraction"], include_drafts=True
            ):
                found[attraction.document_id] = attraction_document(attraction)
        if keys["event"]:
            for event in await events.list_events_by_slugs(connection, keys["event"], include_drafts=True):
                found[event.document_id] = event_document(event)
        return found

    async def iter_all(self, connection: asyncpg.Connection) -> AsyncIterator[SearchDocument]:
        """Every published attraction and event."""
        for attraction in await iter_published_attractions(connection):
            yield attraction_document(attraction)
        for event in await events.list_events(connection, limit=10_000):
            yield event_document(event)
