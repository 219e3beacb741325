"""Assisted onboarding: an agent registers a producer with consent, every action is logged, the producer takes over."""

from datetime import UTC, datetime

import asyncpg
import pytest

from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, VariantIn
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantReview
from marketplace.platform.audit import list_audit_log
from marketplace.platform.errors import Forbidden, NotFound, Unprocessable
from tests.marketplace.factories import COMMUNE, make_admin, make_agent, make_merchant, make_product, make_user


def assisted_form(**overrides: object) -> AssistedMerchantCreate:
    values: dict[str, object] = {
        "producer_name": "Bà Nguyễn Thị Hoa", "producer_phone": "0987654321", "shop_name": "Tỏi Hoa Phan Rang",
        "commune_code": COMMUNE, "address": "Thôn Hậu Sanh", "consent_given_by": "Nguyễn Thị Hoa",
        "consent_method": "in_person_signature", "consent_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "consent_note": "Ký vào phiếu đồng ý số 12",
    }
    values.update(overrides)
    return AssistedMerchantCreate(**values)  # type: ignore[arg-type]


async def test_agent_registers_producer_with_consent_and_every_action_is_logged(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    assert merchant.owner_user_id is None and merchant.assisted and merchant.status == "pending"
    consent = await agents.get_consent(conn, agent, merchant.id)
    assert consent[0].consent_given_by == "Nguyễn Thị Hoa" and consent[0].consent_method == "in_person_signature"
    assert (consent[0].producer_name, consent[0].producer_phone) == ("Bà Nguyễn Thị Hoa", "0987654321")
    await merchants.review_merchant(conn, await make_admin(conn), merchant.id, MerchantReview(True))
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
