"""Products and experiences at the service level: who may change them, what is public, their search documents."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, ProductUpdate, VariantIn, VariantUpdate
from marketplace.merchants import service as merchants
from marketplace.platform.errors import NotFound, Unprocessable
from marketplace.search_source import MarketplaceSource
from tests.marketplace.factories import make_experience, make_merchant, make_product


async def test_publish_unpublish_delete_and_search_documents(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant, name="Mực một nắng", publish=False, price=450_000)
    source = MarketplaceSource()
    doc_id = f"product:{product.id}"
    assert await source.load(conn, [doc_id]) == {}
    await catalog.publish_product(conn, owner, product.id)
    document = (await source.load(conn, [doc_id, f"merchant:{merchant.id}"]))[doc_id]
    assert document.url_path == "/products/muc-mot-nang" and document.price_min == 450_000 and document.available
    assert document.name["vi"] == "Mực một nắng" and document.commune_code == merchant.commune_code
    assert (await source.load(conn, [f"merchant:{merchant.id}"]))[f"merchant:{merchant.id}"].kind == "merchant"
    await catalog.update_variant(conn, owner, product.variants[0].id, VariantUpdate(stock=0))
    assert not (await source.load(conn, [doc_id]))[doc_id].available
    await catalog.unpublish_product(conn, owner, product.id)
    assert await source.load(conn, [doc_id]) == {}
    await catalog.delete_product(conn, owner, product.id)
    with pytest.raises(NotFound):
        await catalog.get_product_for(conn, owner, product.id)
    outbox = [row["document_id"] for row in await conn.fetch(
        "SELECT document_id FROM search_outbox WHERE document_id = $1", doc_id)]
    assert len(outbox) >= 5  # create, publish, stock, unpublish, delete


async def test_experience_documents_and_slots(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    tour = await make_experience(conn, owner, merchant)
    docs = {d.id: d async for d in MarketplaceSource().iter_all(conn)}
    assert f"experience:{tour.id}" in docs and f"product:{tour.id}" not in docs
    with pytest.raises(Unprocessable):  # a slot needs a start time
        await catalog.add_variant(conn, owner, tour.id, VariantIn(price=1, stock=1))


async def test_other_merchant_cannot_touch_products(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    other, _ = await make_merchant(conn, name="B")
    product = await make_product(conn, owner, merchant)
    for call in (
        catalog.get_product_for(conn, other, product.id),
        catalog.update_product(conn, other, product.id, ProductUpdate(name={"vi": "Hacked"})),
        catalog.unpublish_product(conn, other, product.id),
        catalog.delete_product(conn, other, product.id),
        catalog.update_variant(conn, other, product.variants[0].id, VariantUpdate(price=1)),
        catalog.list_merchant_products(conn, other, merchant.id),
    ):
        with pytest.raises(NotFound):
            await call
    assert (await catalog.get_product_for(conn, owner, product.id)).name["vi"] == "Nho đỏ"


async def test_validation_of_new_products(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    with pytest.raises(Unprocessable):
        await catalog.create_product(conn, owner, merchant.id, ProductCreate(
            name={"vi": "  "}, category_slug="fresh-fruit", variants=[VariantIn(price=1)]))
    with pytest.raises(Unprocessable):
        await catalog.create_product(conn, owner, merchant.id, ProductCreate(
            name={"vi": "A"}, category_slug="no-such", variants=[VariantIn(price=1)]))
    with pytest.raises(Unprocessable):
        await catalog.create_product(conn, owner, merchant.id, ProductCreate(
            name={"vi": "A"}, category_slug="fresh-fruit",
            variants=[VariantIn(price=1, sku="X1"), VariantIn(price=2, sku="X1")]))


async def test_category_pages_include_children(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    grapes = await make_product(conn, owner, merchant, category="fresh-fruit")
    squid = await make_product(conn, owner, merchant, name="Mực", category="seafood-dried")
    produce = {card.id for card in await catalog.list_public_products(conn, category="produce")}
    assert grapes.id in produce and squid.id not in produce
    with pytest.raises(NotFound):
        await catalog.list_public_products(conn, category="nope")


async def test_started_slots_are_not_offered(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    tour = await make_experience(conn, owner, merchant)
    await conn.execute("UPDATE product_variants SET starts_at = now() - interval '1 hour', ends_at = NULL "
                       "WHERE id = $1", tour.variants[0].id)
    later = datetime.now(UTC) + timedelta(days=7)
    await catalog.add_variant(conn, owner, tour.id, VariantIn(price=300_000, stock=6, starts_at=later))
    public = await catalog.get_public_product(conn, tour.slug)
    assert [v.starts_at for v in public.variants] == [later]


async def test_expired_ocop_certificate_is_no_badge_nor_filter(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant)
    await conn.execute("UPDATE merchants SET ocop_stars = 4, ocop_certificate_no = 'X', ocop_year = 2022, "
                       "ocop_expires_on = current_date + 30 WHERE id = $1", merchant.id)
    ids = [f"product:{product.id}", f"merchant:{merchant.id}"]
    assert {d.ocop_stars for d in (await MarketplaceSource().load(conn, ids)).values()} == {4}
    await conn.execute("UPDATE merchants SET ocop_expires_on = current_date - 1 WHERE id = $1", merchant.id)
    assert {d.ocop_stars for d in (await MarketplaceSource().load(conn, ids)).values()} == {None}
    shop = await merchants.get_public_merchant(conn, merchant.slug)
    assert shop.ocop is not None and not shop.ocop.valid
