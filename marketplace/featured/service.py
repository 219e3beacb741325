"""Featured lists: which listings the home page shows, and the editors' picks behind them."""

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from marketplace.featured import repository
from marketplace.featured.models import HOME_LIMIT, POPULARITY_DAYS, FeaturedPick, Group, PickForm
from marketplace.platform.errors import NotFound
from marketplace.search_source import MarketplaceSource
from search.models import SearchDocument
from tourism.search_source import TourismSource

__all__ = ["featured_documents", "list_picks", "pick_listing", "move_pick", "remove_pick"]


async def featured_documents(
    connection: asyncpg.Connection, locale: str, now: datetime, limit: int = HOME_LIMIT
) -> dict[Group, list[SearchDocument]]:
    """The home page's lists: editors' picks in their order, then the most popular of the last 90 days, then by
    name. Cards are built by the same sources the search index is built from, so they look like search hits."""
    since = now - timedelta(days=POPULARITY_DAYS)
    attraction_ids = await repository.list_featured_attraction_ids(connection, since, locale, limit)
    product_ids = await repository.list_featured_product_ids(connection, since, locale, limit)
    attractions = await TourismSource().load(connection, attraction_ids)
    products = await MarketplaceSource().load(connection, product_ids)
    return {
        "attractions": [attractions[key] for key in attraction_ids if key in attractions],
        "products": [products[key] for key in product_ids if key in products],
    }


async def list_picks(connection: asyncpg.Connection) -> list[FeaturedPick]:
    """Every editors' pick."""
    return await repository.list_picks(connection)


def _user_id(principal: Any) -> int | None:
    return getattr(principal, "user_id", None)


async def pick_listing(connection: asyncpg.Connection, principal: Any, data: PickForm) -> None:
    """Feature a published attraction, or a public product or experience, at a position (the route is for
    editors and admins)."""
    slug = data.slug.strip().rstrip("/").rsplit("/", 1)[-1]  # a pasted address works as well as the slug
    if data.group == "attractions":
        attraction_id = await repository.get_public_attraction_id(connection, slug)
        if attraction_id is None:
            raise NotFound("no published attraction with this address", code="attraction_not_found")
        await repository.upsert_attraction_pick(connection, attraction_id, data.position, _user_id(principal))
    else:
        product_id = await repository.get_public_product_id(connection, slug)
        if product_id is None:
            raise NotFound("no published product or experience with this address", code="product_not_found")
        await repository.upsert_product_pick(connection, product_id, data.position, _user_id(principal))


async def move_pick(connection: asyncpg.Connection, principal: Any, pick_id: int, position: int) -> None:
    """Give a pick another position."""
    if not await repository.update_pick_position(connection, pick_id, position, _user_id(principal)):
        raise NotFound("no such featured listing", code="pick_not_found")


async def remove_pick(connection: asyncpg.Connection, pick_id: int) -> None:
    """Take a listing off the editors' picks (it may still be featured by popularity)."""
    if not await repository.delete_pick(connection, pick_id):
        raise NotFound("no such featured listing", code="pick_not_found")
