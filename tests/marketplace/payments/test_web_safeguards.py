"""Regression tests through the real app for the payments security review: each failed before its fix."""

import json
import time
from collections.abc import Mapping
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.payments.providers.bank_transfer import VietQRProvider, sign_bank_notification
from marketplace.payments.providers.protocol import PaymentEvent
from marketplace.payments.providers.stripe import StripeProvider
from marketplace.payments.service import payment_code
from marketplace.platform.runtime import runtime_of
from tests.marketplace.payments import test_web
from tests.marketplace.payments.conftest import BANK_SECRET
from tests.marketplace.payments.factories import make_user
from tests.marketplace.payments.stripe_standin import StripeStandIn, sign_payload, signed_event
from tests.marketplace.payments.test_money_safeguards import make_agent
from tests.marketplace.payments.test_web import csrf, placed_order, sign_in

client = test_web.client  # the app fixture, with Stripe pointed at the stand-in

TOO_BIG = "99999999999999999999"  # beyond PostgreSQL's bigint


def bank_headers(body: bytes) -> dict[str, str]:
    moment = int(time.time())
    return {"content-type": "application/json", "x-bank-timestamp": str(moment),
            "x-bank-signature": sign_bank_notification(BANK_SECRET, body, moment)}


async def vietqr_payment_id(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> tuple[int, Any]:
    placed, buyer, _, _, _ = await placed_order(pool, "vietqr")
    await sign_in(client, pool, buyer)
    await client.get(f"/vi/payments/checkouts/{placed.checkout_id}")
    client.cookies.clear()
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT id FROM payments WHERE checkout_id = $1", placed.checkout_id), placed


@pytest.mark.parametrize("provider_class", [VietQRProvider, StripeProvider])
async def test_webhooks_hold_no_connection_while_the_body_is_read_and_verified(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch,
        provider_class: type) -> None:
    """A slow sender must not hold a pooled connection: none is taken before the body is verified."""
    app_pool = runtime_of(client.app.state).require_pool()
    in_use_while_verifying: list[int] = []
    verify = provider_class.verify_notification

    def watching(self: Any, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        in_use_while_verifying.append(app_pool.get_size() - app_pool.get_idle_size())
        return verify(self, body, headers)

    monkeypatch.setattr(provider_class, "verify_notification", watching)
    if provider_class is VietQRProvider:
        payment_id, _ = await vietqr_payment_id(client, pool)
        body = json.dumps({"id": "FT-slow", "amount": 1_000, "description": payment_code(payment_id)}).encode()
        response = await client.post("/api/v1/payments/bank/webhook", content=body, headers=bank_headers(body))
        assert response.json()["outcome"] == "flagged_underpaid"
    else:
        body, headers = signed_event("checkout.session.completed", {"id": "cs_test_x", "payment_status": "paid"})
        response = await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)
        assert response.json()["outcome"] == "unmatched"
    assert response.status_code == 200, response.text
    assert in_use_while_verifying == [0]


async def test_bad_bank_headers_and_bodies_are_400_not_500(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    payment_id, _ = await vietqr_payment_id(client, pool)
    body = json.dumps({"id": "FT-x", "amount": 1_000, "description": payment_code(payment_id)}).encode()
    good = bank_headers(body)
    # Header values travel as Latin-1: b"\xb2" is "²", which isdigit() accepts and int() refuses.
    superscript = {**good, "x-bank-timestamp": b"\xb2"}
    accented = {**good, "x-bank-signature": good["x-bank-signature"][:-1].encode() + b"\xe9"}
    for headers in (superscript, accented):
        response = await client.post("/api/v1/payments/bank/webhook", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "notification_rejected"
    broken = b'{"id": "FT-y", "amount": '
    response = await client.post("/api/v1/payments/bank/webhook", content=broken, headers=bank_headers(broken))
    assert response.status_code == 400 and response.json()["error"]["code"] == "notification_rejected"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payment_events") == 0


async def test_signed_but_malformed_stripe_events_are_400(client: AsyncTestClient[Any]) -> None:
    broken = b'{"id": "evt_1", "type": '
    response = await client.post("/api/v1/payments/stripe/webhook", content=broken,
                                 headers={"stripe-signature": sign_payload(broken)})
    assert response.status_code == 400 and response.json()["error"]["code"] == "notification_rejected"


async def test_ids_beyond_bigint_are_404(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        admin = await make_user(conn, "admin")
    await sign_in(client, pool, admin)
    for path in (f"/api/v1/payments/{TOO_BIG}", f"/api/v1/payments/orders/{TOO_BIG}",
                 f"/api/v1/payments/checkouts/{TOO_BIG}", f"/api/v1/payments/merchants/{TOO_BIG}/ledger",
                 f"/vi/payments/orders/{TOO_BIG}", f"/vi/payments/checkouts/{TOO_BIG}",
                 f"/en/payments/merchants/{TOO_BIG}/statement"):
        response = await client.get(path)
        assert response.status_code == 404, (path, response.status_code, response.text[:200])


async def test_stripe_return_urls_keep_the_mount_prefix(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, standin: StripeStandIn) -> None:
    runtime = runtime_of(client.app.state)
    runtime.path_prefix = "/market"
    placed, buyer, _, _, _ = await placed_order(pool, "stripe")
    await sign_in(client, pool, buyer)
    started = await client.post(f"/api/v1/payments/checkouts/{placed.checkout_id}/start", json={})
    assert started.status_code == 200, started.text
    [session] = standin.sessions.values()
    expected = f"{runtime.settings.base_url.rstrip('/')}/market/vi/payments/checkouts/{placed.checkout_id}"
    assert (session["success_url"], session["cancel_url"]) == (expected, expected)


async def test_a_refused_refund_is_409_and_its_attempt_is_kept(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, standin: StripeStandIn) -> None:
    placed, buyer, owner, _, _ = await placed_order(pool, "stripe")
    await sign_in(client, pool, buyer)
    [view] = (await client.post(f"/api/v1/payments/checkouts/{placed.checkout_id}/start", json={})).json()
    session = standin.complete(view["redirect_url"].rsplit("/", 1)[1])
    body, headers = signed_event("checkout.session.completed", session)
    assert (await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)).status_code == 200
    await sign_in(client, pool, owner)
    order_id = placed.order_ids[0]
    standin.refund_status = "failed"
    refused = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": 10_000})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "refund_failed"
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT status, amount FROM refunds WHERE order_id = $1", order_id)
        assert [(r["status"], r["amount"]) for r in rows] == [("failed", 10_000)]
        assert await conn.fetchval("SELECT status FROM payments WHERE id = $1", view["id"]) == "paid"
    # The refund form says the same on a page.
    token = await csrf(client, f"/en/payments/orders/{order_id}")
    page = await client.post(f"/en/payments/orders/{order_id}/refund", data={"_csrf_token": token, "amount": "500"},
                             follow_redirects=False)
    assert page.status_code == 409
    standin.refund_status = "succeeded"
    done = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": 10_000})
    assert done.status_code == 201, done.text
    assert standin.requests[-1][3]["idempotency-key"] == f"refund-payment-{view['id']}-3"


async def test_agents_get_403_for_bank_accounts_and_refunds(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    placed, _, _, merchant_id, _ = await placed_order(pool, "cod")
    async with pool.acquire() as conn:
        agent = await make_agent(conn, merchant_id)
    await sign_in(client, pool, agent)
    changed = await client.put(f"/api/v1/payments/merchants/{merchant_id}/bank-account",
                               json={"bank_bin": "970422", "account_number": "0999999999"})
    assert changed.status_code == 403 and changed.json()["error"]["code"] == "agent_not_allowed"
    collected = await client.post(f"/api/v1/payments/orders/{placed.order_ids[0]}/cash-collected", json={})
    assert collected.status_code == 200, collected.text
    refund = await client.post(f"/api/v1/payments/orders/{placed.order_ids[0]}/refunds", json={})
    assert refund.status_code == 403
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM merchant_bank_accounts WHERE merchant_id = $1",
                                   merchant_id) == 0
        assert await conn.fetchval("SELECT action FROM agent_audit_log WHERE merchant_id = $1",
                                   merchant_id) == "payments.cash_collected"


async def test_admin_approves_the_fee_on_a_manual_refund(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    placed, _, owner, merchant_id, _ = await placed_order(pool, "cod")
    order_id = placed.order_ids[0]
    await sign_in(client, pool, owner)
    assert (await client.post(f"/api/v1/payments/orders/{order_id}/cash-collected", json={})).status_code == 200
    refund = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"reason": "returned goods"})
    assert refund.status_code == 201 and refund.json()["fee_return_pending"] is True
    refund_id = refund.json()["id"]
    assert (await client.post(f"/api/v1/payments/refunds/{refund_id}/approve-fee", json={})).status_code == 403
    async with pool.acquire() as conn:
        admin = await make_user(conn, "admin")
    await sign_in(client, pool, admin)
    page = await client.get("/en/payments/admin")
    assert 'id="fee-approvals"' in page.text and "returned goods" in page.text
    token = await csrf(client, "/en/payments/admin")
    approved = await client.post(f"/en/payments/admin/refunds/{refund_id}/approve-fee",
                                 data={"_csrf_token": token}, follow_redirects=False)
    assert approved.status_code == 303
    ledger = (await client.get(f"/api/v1/payments/merchants/{merchant_id}/ledger")).json()
    assert ledger["balance"]["balance"] == 0
    assert 'id="fee-approvals"' not in (await client.get("/en/payments/admin")).text


def test_refund_routes_hold_no_request_connection(app: Any) -> None:
    # A refund runs in a transaction of its own on a second pooled connection; a route that also held the
    # request's `db` connection would let ten concurrent refunds starve a pool of ten and hang.
    checked = 0
    for route in app.routes:
        if not route.path.endswith(("/payments/orders/{order_id:int}/refund",
                                    "/payments/orders/{order_id:int}/refunds")):
            continue
        for handler in route.route_handlers:
            if "POST" in handler.http_methods:
                assert "db" not in handler.parsed_fn_signature.parameters, route.path
                checked += 1
    assert checked == 2
