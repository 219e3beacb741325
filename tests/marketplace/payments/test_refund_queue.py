"""Refunds no provider can make are queued for an admin, who pays them by hand and marks them paid (issue 10:
"cancelling a paid order must refund through its provider or queue the refund for an admin, and reverse the
ledger credit"). Before: a refused card refund left the order standing (409), and a cancelled VietQR order
paid to the platform was booked `manual` with nobody told to send the money back."""

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.orders import service as orders
from marketplace.payments import refunds, service
from marketplace.payments.errors import PaymentConflict, PaymentForbidden
from marketplace.payments.models import RefundPaidForm
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.refunds import ProviderRefunder
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.factories import make_user, order_status, stock_of
from tests.marketplace.payments.test_bank_transfer import start_transfer
from tests.marketplace.payments.test_cancel_paid import _pay_by_card
from tests.marketplace.payments.test_web import client, csrf, placed_order, sign_in  # noqa: F401

BALANCE = "SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE merchant_id = $1"


async def _paid_transfer(conn: asyncpg.Connection, providers: list[PaymentProvider],
                         payment_settings: PaymentSettings) -> tuple[Any, Any, int, int]:
    placed, payment, owner, variant_id = await start_transfer(conn, providers, payment_settings)
    admin = await make_user(conn, "admin")
    await service.confirm_transfer(conn, admin, payment.id, payment_settings)
    merchant_id = await conn.fetchval("SELECT merchant_id FROM orders WHERE id = $1", placed.order_ids[0])
    return placed, admin, merchant_id, variant_id


async def test_cancelling_an_order_paid_to_the_platform_queues_its_refund(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, admin, merchant_id, variant_id = await _paid_transfer(conn, providers, payment_settings)
    order_id = placed.order_ids[0]
    assert await conn.fetchval(BALANCE, merchant_id) > 0
    buyer_id = await conn.fetchval("SELECT buyer_user_id FROM orders WHERE id = $1", order_id)
    buyer = type(admin)(buyer_id, frozenset({"customer"}))
    await orders.change_status_as(conn, buyer, order_id, "cancelled", refunder=ProviderRefunder(providers,
                                                                                                payment_settings))
    assert await order_status(conn, order_id) in ("cancelled", "refunded")
    assert await stock_of(conn, variant_id) == 4
    assert await conn.fetchval(BALANCE, merchant_id) == 0  # the credit is reversed at once
    [queued] = await refunds.list_queued_refunds(conn, admin)
    assert (queued.order_id, queued.amount, queued.method) == (order_id, placed.total, "vietqr")
    assert queued.buyer_email is not None
    paid = await refunds.mark_refund_paid(conn, admin, queued.id, RefundPaidForm(reference="FT2612060001"))
    assert paid.status == "succeeded"
    assert await conn.fetchval(BALANCE, merchant_id) == 0  # paying it by hand books nothing twice
    assert await refunds.list_queued_refunds(conn, admin) == []
    audit = await conn.fetchrow("SELECT action, details FROM agent_audit_log WHERE merchant_id = $1 "
                                "ORDER BY id DESC LIMIT 1", merchant_id)
    assert audit["action"] == "payments.refund_paid_by_hand" and audit["details"]["reference"] == "FT2612060001"
    with pytest.raises(PaymentConflict):
        await refunds.mark_refund_paid(conn, admin, queued.id, RefundPaidForm(reference="again"))


async def test_only_an_admin_marks_a_refund_paid(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, admin, merchant_id, _ = await _paid_transfer(conn, providers, payment_settings)
    await refunds.refund_order(conn, providers, admin, placed.order_ids[0], payment_settings)
    [queued] = await refunds.list_queued_refunds(conn, admin)
    owner_id = await conn.fetchval("SELECT owner_user_id FROM merchants WHERE id = $1", merchant_id)
    owner = type(admin)(owner_id, frozenset({"merchant"}))
    with pytest.raises(PaymentForbidden):
        await refunds.mark_refund_paid(conn, owner, queued.id, RefundPaidForm(reference="FT1"))
    with pytest.raises(PaymentForbidden):
        await refunds.list_queued_refunds(conn, owner)


async def test_a_provider_that_is_not_configured_queues_the_refund_of_a_cancellation(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, admin, merchant_id, _ = await _paid_transfer(conn, providers, payment_settings)
    order_id = placed.order_ids[0]
    await orders.change_status_as(conn, admin, order_id, "cancelled",
                                  refunder=ProviderRefunder([], payment_settings))
    assert await order_status(conn, order_id) in ("cancelled", "refunded")
    [queued] = await refunds.list_queued_refunds(conn, admin)
    assert "not available" in queued.reason
    assert await conn.fetchval(BALANCE, merchant_id) == 0


async def test_a_card_refund_stripe_refuses_is_queued_and_the_order_cancelled(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, providers: list[PaymentProvider],  # noqa: F811
        payment_settings: PaymentSettings, standin: Any) -> None:
    placed, buyer, _, merchant_id, variant_id = await placed_order(pool, "stripe")
    await _pay_by_card(pool, providers, payment_settings, standin, placed)
    standin.refund_status = "failed"
    order_id = placed.order_ids[0]
    await sign_in(client, pool, buyer)
    response = await client.post(f"/api/v1/orders/{order_id}/status", json={"status": "cancelled"})
    assert response.status_code == 200, response.text
    statuses = [row["status"] for row in await pool.fetch(
        "SELECT status FROM refunds WHERE order_id = $1 ORDER BY id", order_id)]
    assert statuses == ["failed", "queued"]  # the refused attempt is kept beside the queued refund
    assert await pool.fetchval(BALANCE, merchant_id) == 0
    async with pool.acquire() as conn:
        assert await stock_of(conn, variant_id) == 6
    # The admin pays it by hand from the payments page (a real form with its CSRF token).
    admin = await _admin(pool)
    client.cookies.clear()
    await sign_in(client, pool, admin)
    page = await client.get("/vi/payments/admin")
    assert page.status_code == 200 and 'id="queued-refunds"' in page.text
    refund_id = await pool.fetchval("SELECT id FROM refunds WHERE order_id = $1 AND status = 'queued'", order_id)
    assert f"/vi/payments/admin/refunds/{refund_id}/paid" in page.text
    token = await csrf(client, "/vi/payments/admin")
    done = await client.post(f"/vi/payments/admin/refunds/{refund_id}/paid",
                             data={"reference": "VCB 0612 0042", "_csrf_token": token})
    assert done.status_code == 200, done.text
    assert 'id="queued-refunds"' not in done.text
    row = await pool.fetchrow("SELECT status, paid_reference, paid_by FROM refunds WHERE id = $1", refund_id)
    assert (row["status"], row["paid_reference"], row["paid_by"]) == ("succeeded", "VCB 0612 0042", admin.user_id)
    # Through the API, a second time: 409 with the error shape.
    again = await client.post(f"/api/v1/payments/refunds/{refund_id}/paid", json={"reference": "x"})
    assert again.status_code in (403, 409)  # a cookie client without CSRF is refused first


async def _admin(pool: asyncpg.Pool) -> Any:
    async with pool.acquire() as conn:
        return await make_user(conn, "admin")


async def test_the_api_lists_and_settles_queued_refunds(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, providers: list[PaymentProvider],  # noqa: F811
        payment_settings: PaymentSettings) -> None:
    from marketplace.accounts.service import create_api_token

    async with pool.acquire() as conn, conn.transaction():
        placed, admin, _, _ = await _paid_transfer(conn, providers, payment_settings)
        await refunds.refund_order(conn, providers, admin, placed.order_ids[0], payment_settings)
    async with pool.acquire() as conn:
        token = (await create_api_token(conn, name="ops", roles=["admin"], created_by=None)).token
    headers = {"Authorization": f"Bearer {token}"}
    listed = await client.get("/api/v1/payments/refunds/queued", headers=headers)
    assert listed.status_code == 200
    [queued] = listed.json()
    # An API token has no user to audit: paying by hand needs a person.
    refused = await client.post(f"/api/v1/payments/refunds/{queued['id']}/paid", json={"reference": "FT9"},
                                headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "sign_in_required"
