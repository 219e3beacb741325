"""Search documents for the marketplace: products, experiences and merchants (only what is public)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg

from i18n import gettext
from i18n.forms import N_
from marketplace.platform.listings import merchant_document_id, product_document_id, product_document_kind
from marketplace.search_source import repository
from search.models import GeoPoint, SearchDocument

__all__ = ["MarketplaceSource", "category_label", "CATEGORY_LABELS"]

# Product categories (the categories table) and merchant kinds, as search facets show them.
CATEGORY_LABELS: dict[str, str] = {
    "produce": N_("Produce"), "fresh-fruit": N_("Fresh fruit"), "vegetables": N_("Vegetables and fresh spices"),
    "meat": N_("Meat"), "seafood": N_("Seafood"), "seafood-fresh": N_("Fresh seafood"),
    "seafood-dried": N_("Dried seafood"), "food": N_("Local food"), "processed-food": N_("Processed food"),
    "condiments": N_("Condiments and sauces"), "beverages": N_("Beverages"), "street-food": N_("Local dishes"),
    "crafts": N_("Crafts"), "pottery": N_("Pottery"), "textiles": N_("Textiles and brocade"),
    "experiences": N_("Experiences"), "tours": N_("Tours"), "classes": N_("Classes and workshops"),
    "tickets": N_("Tickets"), "household": N_("Household producer"), "cooperative": N_("Cooperative"),
    "company": N_("Company"), "tour_operator": N_("Tour operator"),
}


def category_label(value: str, locale: str) -> str | None:
    """The label of a product category or merchant kind in `locale` (a search.labels.CategoryLabeller)."""
    message = CATEGORY_LABELS.get(value)
    return gettext(message, locale) if message else None


def _point(row: Any) -> GeoPoint | None:
    if row["lat"] is None or row["lng"] is None:
        return None
    return GeoPoint(row["lat"], row["lng"])


def product_document(row: Any) -> SearchDocument:
    """A product or experience row as a search document."""
    return SearchDocument(
        id=product_document_id(row["kind"], row["id"]),
        kind=product_document_kind(row["kind"]),
        slug=row["slug"],
        name=dict(row["name"]),
        summary=dict(row["merchant_name"]),
        text=dict(row["description"]),
        category=row["category_slug"],
        commune_code=row["commune_code"],
        point=_point(row),
        price_min=row["price_min"],
        price_max=row["price_max"],
        rating=row["rating"],
        ocop_stars=row["ocop_stars"],
        popularity=row["popularity"],
        available=row["available"],
        published=True,
        image_url=row["image_url"],
        url_path=f"/products/{row['slug']}",
        merchant_id=row["merchant_id"],
        updated_at=row["updated_at"],
    )


def merchant_document(row: Any) -> SearchDocument:
    """An approved merchant as a search document."""
    return SearchDocument(
        id=merchant_document_id(row["id"]),
        kind="merchant",
        slug=row["slug"],
        name=dict(row["name"]),
        text=dict(row["story"]),
        category=row["kind"],
        commune_code=row["commune_code"],
        point=_point(row),
        rating=row["rating"],
        ocop_stars=row["ocop_stars"],
        popularity=row["popularity"],
        image_url=row["image_url"],
        url_path=f"/shops/{row['slug']}",
        merchant_id=row["id"],
        updated_at=row["updated_at"],
    )


def _keys(ids: Sequence[str], kinds: tuple[str, ...]) -> list[int]:
    keys: list[int] = []
    for document_id in ids:
        kind, _, key = document_id.partition(":")
        if kind in kinds and key.isdigit():
            keys.append(int(key))
    return keys


class MarketplaceSource:
    """The search.sources.DocumentSource of the marketplace."""

    kinds: tuple[str, ...] = ("product", "experience", "merchant")

    async def load(self, connection: asyncpg.Connection, ids: Sequence[str]) -> dict[str, SearchDocument]:
        """Current documents for these ids; ids of hidden or deleted listings are left out."""
        found: dict[str, SearchDocument] = {}
        product_keys = _keys(ids, ("product", "experience"))
        if product_keys:
            for row in await repository.list_public_products(connection, product_keys):
                document = product_document(row)
                found[document.id] = document
        merchant_keys = _keys(ids, ("merchant",))
        if merchant_keys:
            for row in await repository.list_public_merchants(connection, merchant_keys):
                document = merchant_document(row)
                found[document.id] = document
        wanted = set(ids)
        # "product:5" asked for while row 5 is an experience: that id must be deleted, not answered.
        return {key: value for key, value in found.items() if key in wanted}

    async def iter_all(self, connection: asyncpg.Connection) -> AsyncIterator[SearchDocument]:
        """Every public product, experience and merchant."""
        for row in await repository.list_public_products(connection, None):
            yield product_document(row)
        for row in await repository.list_public_merchants(connection, None):
            yield merchant_document(row)
