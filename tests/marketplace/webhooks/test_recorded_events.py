"""Which changes become events: listings created, updated and deleted, and merchants approved, each in the
transaction of the change (so a rolled-back change leaves none)."""

from datetime import date

import asyncpg
import msgspec

from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductUpdate, VariantIn
from tests.marketplace.factories import make_experience, make_merchant, make_product
from tourism.attractions.models import AttractionCreate, AttractionUpdate
from tourism.attractions.service import create_attraction, update_attraction
from tourism.events.models import EventCreate, EventUpdate
from tourism.events.service import create_event, update_event


async def _since(conn: asyncpg.Connection, after: int) -> list[tuple[str, dict[str, object]]]:
    rows = await conn.fetch("SELECT event_type, data::text AS data FROM change_events WHERE id > $1 ORDER BY id",
                            after)
    return [(row["event_type"], msgspec.json.decode(row["data"])) for row in rows]


async def _last(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT coalesce(max(id), 0) FROM change_events")


async def test_products_experiences_and_merchants(conn: asyncpg.Connection) -> None:
    start = await _last(conn)
    owner, merchant = await make_merchant(conn)
    assert await _since(conn, start) == [("merchant.approved", {"id": merchant.id, "slug": merchant.slug})]
    start = await _last(conn)
    product = await make_product(conn, owner, merchant)
    await catalog.update_product(conn, owner, product.id, ProductUpdate(unit="hộp"))
    await catalog.add_variant(conn, owner, product.id, VariantIn(label={"vi": "2 kg"}, price=90_000, stock=3))
    await catalog.unpublish_product(conn, owner, product.id)
    await catalog.delete_product(conn, owner, product.id)
    tour = await make_experience(conn, owner, merchant)
    events = await _since(conn, start)
    assert [name for name, _ in events] == ["product.created", "product.updated", "product.updated",
                                            "product.updated", "product.deleted", "experience.created"]
    assert events[0][1] == {"id": product.id, "slug": product.slug, "merchant_id": merchant.id,
                            "status": "published"}
    assert events[3][1]["status"] == "unpublished"
    assert events[5][1]["id"] == tour.id


async def test_attractions_and_events(conn: asyncpg.Connection) -> None:
    start = await _last(conn)
    attraction = await create_attraction(conn, AttractionCreate(
        slug="doi-cat-hooks", name={"vi": "Đồi cát"}, category="nature", lat=11.6, lng=109.0))
    await update_attraction(conn, "doi-cat-hooks", AttractionUpdate(status="published"))
    event = await create_event(conn, EventCreate(slug="le-hoi-hooks", name={"vi": "Lễ hội"},
                                                 starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2)))
    await update_event(conn, "le-hoi-hooks", EventUpdate(status="published"))
    assert await _since(conn, start) == [
        ("attraction.created", {"id": attraction.id, "slug": "doi-cat-hooks", "status": "draft"}),
        ("attraction.updated", {"id": attraction.id, "slug": "doi-cat-hooks", "status": "published"}),
        ("event.created", {"id": event.id, "slug": "le-hoi-hooks", "status": "draft"}),
        ("event.updated", {"id": event.id, "slug": "le-hoi-hooks", "status": "published"}),
    ]
