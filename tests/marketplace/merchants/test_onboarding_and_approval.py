"""Merchants: onboarding in three forms, pending until approved by an admin or the commune's agent."""

import asyncpg
import pytest

from marketplace.catalog import service as catalog
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantDetails, MerchantLocation, MerchantReview, MerchantStart, Ocop
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from tests.marketplace.factories import COMMUNE, make_admin, make_agent, make_merchant, make_product, make_user

OTHER_COMMUNE = 22366  # Phường Nha Trang


async def test_three_forms_then_pending_until_approved(conn: asyncpg.Connection) -> None:
    owner = await make_user(conn)
    merchant = await merchants.start_onboarding(conn, owner, MerchantStart(name="Hợp tác xã Nho Thái An",
                                                                          kind="cooperative", phone="0912 345 678"))
    assert merchant.slug == "hop-tac-xa-nho-thai-an" and merchant.status == "pending"
    assert "merchant" in await conn.fetchval("SELECT roles FROM users WHERE id = $1", owner.user_id)
    await merchants.save_location(conn, owner, merchant.id, MerchantLocation(commune_code=COMMUNE, address="Thái An",
                                                                              lat=11.6, lng=108.9))
    details = MerchantDetails(story={"vi": "Nho sạch", "xx": "ignored"}, delivery_fee=30_000,
                              ocop=Ocop(stars=4, certificate_no="OCOP-NT-2024-017", year=2024))
    merchant = await merchants.save_details(conn, owner, merchant.id, details)
    assert merchant.onboarding_step == 4 and merchant.story == {"vi": "Nho sạch"}
    assert merchant.ocop is not None and merchant.ocop.stars == 4
    # Nothing of a pending merchant is public, not even its products.
    product = await make_product(conn, owner, merchant)
    with pytest.raises(NotFound):
        await merchants.get_public_merchant(conn, merchant.slug)
    with pytest.raises(NotFound):
        await catalog.get_public_product(conn, product.slug)
    assert await catalog.list_public_products(conn, merchant_id=merchant.id) == []
    # The merchant cannot approve itself; another commune's agent cannot either; this commune's agent can.
    with pytest.raises(Forbidden):
        await merchants.review_merchant(conn, owner, merchant.id, MerchantReview(True))
    with pytest.raises(Forbidden):
        await merchants.review_merchant(conn, await make_agent(conn, OTHER_COMMUNE), merchant.id, MerchantReview(True))
    agent = await make_agent(conn)
    assert [m.id for m in await merchants.list_approval_queue(conn, agent)] == [merchant.id]
    await merchants.review_merchant(conn, agent, merchant.id, MerchantReview(True))
    assert (await merchants.get_public_merchant(conn, merchant.slug)).status == "approved"
    assert (await catalog.get_public_product(conn, product.slug)).id == product.id
    outbox = {row["document_id"] for row in await conn.fetch("SELECT document_id FROM search_outbox")}
    assert {f"merchant:{merchant.id}", f"product:{product.id}"} <= outbox


async def test_onboarding_refuses_unknown_commune_and_half_a_point(conn: asyncpg.Connection) -> None:
    owner = await make_user(conn)
    merchant = await merchants.start_onboarding(conn, owner, MerchantStart(name="Shop", phone="0912345678"))
    with pytest.raises(Unprocessable):
        await merchants.save_location(conn, owner, merchant.id, MerchantLocation(commune_code=1, address="x y"))
    with pytest.raises(Unprocessable):
        await merchants.save_location(conn, owner, merchant.id,
                                      MerchantLocation(commune_code=COMMUNE, address="x y", lat=11.5))


async def test_unfinished_onboarding_cannot_be_approved(conn: asyncpg.Connection) -> None:
    owner = await make_user(conn)
    merchant = await merchants.start_onboarding(conn, owner, MerchantStart(name="Shop", phone="0912345678"))
    with pytest.raises(Conflict):
        await merchants.review_merchant(conn, await make_admin(conn), merchant.id, MerchantReview(True))


async def test_rejected_merchant_can_fix_and_resubmit(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn, approve=False)
    admin = await make_admin(conn)
    rejected = await merchants.review_merchant(conn, admin, merchant.id, MerchantReview(False, "Thiếu địa chỉ"))
    assert rejected.status == "rejected"
    resubmitted = await merchants.save_details(conn, owner, merchant.id, MerchantDetails(delivery_fee=10_000))
    assert resubmitted.status == "pending"
    assert [m.id for m in await merchants.list_approval_queue(conn, admin)].count(merchant.id) == 1
