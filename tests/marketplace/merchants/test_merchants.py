"""Merchants: onboarding in three forms, approval, assisted onboarding with consent, takeover, audit log."""

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest

from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, VariantIn
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantDetails, MerchantLocation, MerchantReview, MerchantStart, Ocop
from marketplace.platform.audit import list_audit_log
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from tests.marketplace.factories import COMMUNE, make_admin, make_merchant, make_product, make_user

OTHER_COMMUNE = 22366  # Phường Nha Trang


def assisted_form(**overrides: object) -> AssistedMerchantCreate:
    values: dict[str, object] = {
        "producer_name": "Bà Nguyễn Thị Hoa", "producer_phone": "0987654321", "shop_name": "Tỏi Hoa Phan Rang",
        "commune_code": COMMUNE, "address": "Thôn Hậu Sanh", "consent_given_by": "Nguyễn Thị Hoa",
        "consent_method": "in_person_signature", "consent_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "consent_note": "Ký vào phiếu đồng ý số 12",
    }
    values.update(overrides)
    return AssistedMerchantCreate(**values)  # type: ignore[arg-type]


async def make_agent(conn: asyncpg.Connection, commune: int = COMMUNE):  # type: ignore[no-untyped-def]
    agent = await make_user(conn, "community_agent", name="Cán bộ số")
    assert agent.user_id is not None
    await agents.assign_agent_commune(conn, agent.user_id, commune)
    return agent


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


async def test_agent_registers_producer_with_consent_and_every_action_is_logged(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    assert merchant.owner_user_id is None and merchant.assisted and merchant.status == "pending"
    consent = await agents.get_consent(conn, agent, merchant.id)
    assert consent[0].consent_given_by == "Nguyễn Thị Hoa" and consent[0].consent_method == "in_person_signature"
    assert (consent[0].producer_name, consent[0].producer_phone) == ("Bà Nguyễn Thị Hoa", "0987654321")
    await merchants.review_merchant(conn, agent, merchant.id, MerchantReview(True))
    product = await catalog.create_product(conn, agent, merchant.id, ProductCreate(
        name={"vi": "Tỏi Phan Rang"}, category_slug="vegetables", unit="kg",
        variants=[VariantIn(price=120_000, stock=30)], publish=True))
    await catalog.unpublish_product(conn, agent, product.id)
    log = await list_audit_log(conn, agent, merchant.id)
    assert [entry.action for entry in log] == ["product.unpublish", "product.create", "merchant.register"]
    assert {entry.agent_user_id for entry in log} == {agent.user_id}
    assert log[-1].details["consent_method"] == "in_person_signature"
    # The admin reads the log; a stranger may not.
    assert len(await list_audit_log(conn, await make_admin(conn), merchant.id)) == 3
    with pytest.raises(NotFound):
        await list_audit_log(conn, await make_user(conn), merchant.id)


async def test_agent_sees_and_manages_only_assisted_merchants(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    other_agent = await make_agent(conn)
    assisted = await agents.register_assisted_merchant(conn, agent, assisted_form())
    owner, independent = await make_merchant(conn, name="Cửa hàng độc lập")
    assert [m.id for m in await agents.list_assisted_merchants(conn, agent)] == [assisted.id]
    assert await agents.list_assisted_merchants(conn, other_agent) == []
    product = await make_product(conn, owner, independent)
    for outsider in (other_agent, agent):
        target = assisted.id if outsider is other_agent else independent.id
        with pytest.raises(NotFound):
            await catalog.create_product(conn, outsider, target, ProductCreate(
                name={"vi": "X"}, category_slug="vegetables", variants=[VariantIn(price=1)]))
    with pytest.raises(NotFound):
        await catalog.unpublish_product(conn, agent, product.id)


async def test_consent_is_required_and_not_in_the_future(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    with pytest.raises(Unprocessable):
        await agents.register_assisted_merchant(conn, agent, assisted_form(consent_at=datetime(2999, 1, 1, tzinfo=UTC)))
    with pytest.raises(Forbidden):
        await agents.register_assisted_merchant(conn, await make_user(conn), assisted_form())


async def test_producer_takes_over_with_a_one_time_code(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    first = await agents.create_takeover_code(conn, agent, merchant.id)
    code = await agents.create_takeover_code(conn, agent, merchant.id)
    producer = await make_user(conn, name="Hoa")
    with pytest.raises(NotFound):  # a newer code replaced the first one
        await agents.redeem_takeover_code(conn, producer, first.code)
    taken = await agents.redeem_takeover_code(conn, producer, code.code.lower())
    assert taken.owner_user_id == producer.user_id and not taken.assisted
    with pytest.raises(NotFound):  # one time only
        await agents.redeem_takeover_code(conn, await make_user(conn), code.code)
    # The agent no longer manages it; the new owner reads the whole history.
    with pytest.raises(NotFound):
        await merchants.get_merchant_for(conn, agent, merchant.id)
    actions = [entry.action for entry in await list_audit_log(conn, producer, merchant.id)]
    assert actions == ["merchant.taken_over", "merchant.takeover_code", "merchant.takeover_code", "merchant.register"]


async def test_rejected_merchant_can_fix_and_resubmit(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn, approve=False)
    admin = await make_admin(conn)
    rejected = await merchants.review_merchant(conn, admin, merchant.id, MerchantReview(False, "Thiếu địa chỉ"))
    assert rejected.status == "rejected"
    resubmitted = await merchants.save_details(conn, owner, merchant.id, MerchantDetails(delivery_fee=10_000))
    assert resubmitted.status == "pending"
    assert [m.id for m in await merchants.list_approval_queue(conn, admin)].count(merchant.id) == 1


async def test_concurrent_products_with_one_name_get_distinct_slugs(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
    first, second = await pool.acquire(), await pool.acquire()
    try:
        tx1, tx2 = first.transaction(), second.transaction()
        await tx1.start()
        await tx2.start()
        one = await make_product(first, owner, merchant, name="Nho đỏ")
        pending = asyncio.create_task(make_product(second, owner, merchant, name="Nho đỏ"))
        # Commit the first only once the second insert waits on its uncommitted slug: the lost-race path.
        async with pool.acquire() as observer:
            for _ in range(1000):  # polling another server process's state; no event to wait on
                state = await observer.fetchval("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1",
                                                second.get_server_pid())
                if state == "Lock":
                    break
                await asyncio.sleep(0.01)
            assert state == "Lock"
        await tx1.commit()
        two = await pending
        await tx2.commit()
    finally:
        await pool.release(first)
        await pool.release(second)
    assert {one.slug, two.slug} == {"nho-do", "nho-do-2"}
