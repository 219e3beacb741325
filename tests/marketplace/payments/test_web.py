"""The payment pages and API through the real app: webhooks over HTTP, the pay pages in every locale, forms."""

import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

import marketplace.app
from marketplace.accounts import service as accounts
from marketplace.payments.dependencies import PAYMENT_SETTINGS_STATE_KEY
from marketplace.payments.providers.bank_transfer import sign_bank_notification
from marketplace.payments.service import payment_code
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import SystemActor
from marketplace.platform.settings import load_settings
from tests.marketplace.payments.conftest import BANK_SECRET, PLATFORM_BANK
from tests.marketplace.payments.factories import (
    buy,
    make_merchant,
    make_user,
    make_variant,
    order_transitions,
    stock_of,
)
from tests.marketplace.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn, signed_event

LOCALES = ["vi", "en", "zh", "ko", "ja", "ru", "fr", "ar"]


@pytest_asyncio.fixture
async def client(db_uri: str, tmp_path: Path, standin: StripeStandIn,
                 payment_settings: PaymentSettings) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app with Stripe configured against the stand-in."""
    settings = load_settings({
        "DATABASE_URL": db_uri, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATA_DIR": str(tmp_path / "data"), "RUN_INDEXER": "false",
        "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    })
    app = marketplace.app.create_app(settings)
    app.state[PAYMENT_SETTINGS_STATE_KEY] = payment_settings
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


async def sign_in(client: AsyncTestClient[Any], pool: asyncpg.Pool, user: SystemActor) -> None:
    async with pool.acquire() as conn:
        token = await accounts.start_session(conn, user.user_id)
    client.cookies.set("sid", token)


async def csrf(client: AsyncTestClient[Any], path: str) -> str:
    page = await client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}: {page.status_code} {page.text[:300]}"
    return match.group(1)


async def placed_order(pool: asyncpg.Pool, method: str, quantity: int = 1):
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant_id = await make_merchant(conn)
        variant_id = await make_variant(conn, owner, merchant_id, price=90_000, stock=6)
        buyer = await make_user(conn)
        placed = await buy(conn, buyer, [(variant_id, quantity)], payment_method=method)
    return placed, buyer, owner, merchant_id, variant_id


async def test_stripe_from_the_pay_button_to_a_signed_webhook(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, standin: StripeStandIn) -> None:
    placed, buyer, _, merchant_id, _ = await placed_order(pool, "stripe", quantity=2)
    await sign_in(client, pool, buyer)
    page_path = f"/en/payments/checkouts/{placed.checkout_id}"
    token = await csrf(client, page_path)
    response = await client.post(f"{page_path}/pay", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(standin.url + "/pay/cs_test_standin_")
    session_id = response.headers["location"].rsplit("/", 1)[1]
    session = standin.complete(session_id)
    body, headers = signed_event("checkout.session.completed", session, event_id="evt_http_once")
    client.cookies.clear()
    for _ in range(10):
        delivered = await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)
        assert delivered.status_code == 200, delivered.text
    async with pool.acquire() as conn:
        assert await order_transitions(conn, placed.order_ids[0]) == ["pending_payment", "confirmed"]
        assert await conn.fetchval("SELECT count(*) FROM payment_events WHERE event_id = 'evt_http_once'") == 1
        assert await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1",
                                   merchant_id) == 180_000 - 9_000


@pytest.mark.parametrize("problem", ["forged", "missing", "stale"])
async def test_bad_stripe_webhooks_get_400_and_change_nothing(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, standin: StripeStandIn, problem: str) -> None:
    placed, buyer, _, _, _ = await placed_order(pool, "stripe")
    await sign_in(client, pool, buyer)
    token = await csrf(client, f"/vi/payments/checkouts/{placed.checkout_id}")
    location = (await client.post(f"/vi/payments/checkouts/{placed.checkout_id}/pay", data={"_csrf_token": token},
                                  follow_redirects=False)).headers["location"]
    session = standin.complete(location.rsplit("/", 1)[1])
    body, headers = signed_event("checkout.session.completed", session,
                                 timestamp=int(time.time()) - 301 if problem == "stale" else None)
    if problem == "forged":
        headers["stripe-signature"] = headers["stripe-signature"][:-4] + "0000"
    if problem == "missing":
        del headers["stripe-signature"]
    response = await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "notification_rejected"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payment_events") == 0
        assert await order_transitions(conn, placed.order_ids[0]) == ["pending_payment"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_vietqr_page_in_every_locale(client: AsyncTestClient[Any], pool: asyncpg.Pool, locale: str) -> None:
    placed, buyer, _, _, _ = await placed_order(pool, "vietqr")
    await sign_in(client, pool, buyer)
    response = await client.get(f"/{locale}/payments/checkouts/{placed.checkout_id}")
    assert response.status_code == 200, response.text
    html = response.text
    assert f'lang="{locale}"' in html and (('dir="rtl"' in html) == (locale == "ar"))
    assert "<svg" in html and 'viewBox="' in html
    assert PLATFORM_BANK.account_number in html and "Vietcombank" in html
    code = re.search(r"<code>(NTM\d{6})</code>", html)
    assert code is not None
    # The same page again shows the same payment (nothing started twice).
    again = await client.get(f"/{locale}/payments/checkouts/{placed.checkout_id}")
    assert code.group(1) in again.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments WHERE checkout_id = $1", placed.checkout_id) == 1


async def test_bank_webhook_over_http(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    placed, buyer, _, _, _ = await placed_order(pool, "vietqr")
    await sign_in(client, pool, buyer)
    await client.get(f"/vi/payments/checkouts/{placed.checkout_id}")
    async with pool.acquire() as conn:
        payment_id = await conn.fetchval("SELECT id FROM payments WHERE checkout_id = $1", placed.checkout_id)
    client.cookies.clear()

    async def post(amount: int, txn: str, secret: str = BANK_SECRET) -> Any:
        body = json.dumps({"id": txn, "amount": amount, "description": f"CK {payment_code(payment_id)}"}).encode()
        moment = int(time.time())
        return await client.post("/api/v1/payments/bank/webhook", content=body, headers={
            "content-type": "application/json", "x-bank-timestamp": str(moment),
            "x-bank-signature": sign_bank_notification(secret, body, moment)})

    forged = await post(placed.total, "FT1", secret="not-the-bank-secret-000000")
    assert forged.status_code == 400
    short = await post(placed.total - 10_000, "FT2")
    assert short.status_code == 200 and short.json()["outcome"] == "flagged_underpaid"
    async with pool.acquire() as conn:
        assert await order_transitions(conn, placed.order_ids[0]) == ["pending_payment"]


async def test_cash_statement_csv_and_payout(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    placed, buyer, owner, merchant_id, variant_id = await placed_order(pool, "cod", quantity=2)
    order_id = placed.order_ids[0]
    # A buyer cannot record cash for their own order.
    await sign_in(client, pool, buyer)
    token = await csrf(client, f"/vi/payments/checkouts/{placed.checkout_id}")
    refused = await client.post(f"/vi/payments/orders/{order_id}/cash-collected", data={"_csrf_token": token},
                                follow_redirects=False)
    assert refused.status_code == 404
    await sign_in(client, pool, owner)
    order_page = await client.get(f"/vi/payments/orders/{order_id}")
    assert 'id="cash-collected"' in order_page.text
    token = await csrf(client, f"/vi/payments/orders/{order_id}")
    done = await client.post(f"/vi/payments/orders/{order_id}/cash-collected", data={"_csrf_token": token},
                             follow_redirects=False)
    assert done.status_code == 303
    no_token = await client.post(f"/vi/payments/orders/{order_id}/refund", data={"amount": "1000"},
                                 follow_redirects=False)
    assert no_token.status_code == 403
    refund = await client.post(f"/vi/payments/orders/{order_id}/refund",
                               data={"_csrf_token": token, "amount": "abc"}, follow_redirects=False)
    # A mistyped field is 422 invalid_form, as on every form (it was 400 from this page's own number parser).
    assert refund.status_code == 422 and 'id="refund-amount"' in refund.text
    statement = await client.get(f"/en/payments/merchants/{merchant_id}/statement")
    assert statement.status_code == 200 and 'id="balance"' in statement.text
    csv_response = await client.get(f"/en/payments/merchants/{merchant_id}/statement.csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = csv_response.text.strip().splitlines()
    assert rows[0].startswith("date,kind,order_id") and rows[1].split(",")[1:6] == [
        "platform_fee", str(order_id), "", "", "-9000"]
    async with pool.acquire() as conn:
        admin = await make_user(conn, "admin")
        assert await stock_of(conn, variant_id) == 4
    await sign_in(client, pool, admin)
    token = await csrf(client, "/vi/payments/admin")
    paid_out = await client.post("/vi/payments/admin/payouts", data={
        "_csrf_token": token, "merchant_id": str(merchant_id), "amount": "5000", "method": "bank_transfer",
        "external_reference": "=HYPERLINK(1)"}, follow_redirects=False)
    assert paid_out.status_code == 303
    api = await client.get(f"/api/v1/payments/merchants/{merchant_id}/ledger")
    assert api.json()["balance"]["balance"] == -9_000 - 5_000
    csv_text = (await client.get(f"/en/payments/merchants/{merchant_id}/statement.csv")).text
    assert "'=HYPERLINK(1)" in csv_text


async def test_json_api_start_refund_and_access(client: AsyncTestClient[Any], pool: asyncpg.Pool,
                                                standin: StripeStandIn) -> None:
    placed, buyer, owner, merchant_id, variant_id = await placed_order(pool, "stripe", quantity=2)
    start_path = f"/api/v1/payments/checkouts/{placed.checkout_id}/start"
    assert (await client.post(start_path, json={})).status_code == 401
    assert (await client.get("/api/v1/payments/methods")).json() == ["stripe", "vietqr", "cod"]
    async with pool.acquire() as conn:
        stranger = await make_user(conn)
    await sign_in(client, pool, stranger)
    hidden = await client.post(start_path, json={})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "checkout_not_found"
    await sign_in(client, pool, buyer)
    started = await client.post(start_path, json={})
    assert started.status_code == 200, started.text
    [view] = started.json()
    assert view["method"] == "stripe" and view["redirect_url"].startswith(standin.url)
    assert view["order_ids"] == placed.order_ids
    session = standin.complete(view["redirect_url"].rsplit("/", 1)[1])
    body, headers = signed_event("checkout.session.completed", session)
    assert (await client.post("/api/v1/payments/stripe/webhook", content=body, headers=headers)).status_code == 200
    order_id = placed.order_ids[0]
    # The buyer may read the payment, not refund it; the merchant refunds part, then too much is refused.
    assert (await client.get(f"/api/v1/payments/orders/{order_id}")).json()[0]["status"] == "paid"
    refused = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": 1000})
    assert refused.status_code == 404
    await sign_in(client, pool, owner)
    refund = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": 30_000,
                                                                                   "reason": "late"})
    assert refund.status_code == 201, refund.text
    assert refund.json()["status"] == "succeeded" and standin.refunds[-1]["amount"] == 30_000
    too_much = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": 10 ** 9})
    assert too_much.status_code == 422 and too_much.json()["error"]["details"] == {"refundable": 150_000}
    invalid = await client.post(f"/api/v1/payments/orders/{order_id}/refunds", json={"amount": -5})
    assert invalid.status_code == 400
    ledger = (await client.get(f"/api/v1/payments/merchants/{merchant_id}/ledger")).json()
    assert ledger["balance"]["balance"] == 180_000 - 9_000 - 30_000 + 1_500
    assert (await client.get("/api/v1/payments/balances")).status_code == 403


async def test_bank_account_form_and_admin_review_page(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    placed, buyer, owner, merchant_id, _ = await placed_order(pool, "vietqr")
    await sign_in(client, pool, owner)
    form_path = f"/fr/payments/merchants/{merchant_id}/bank-account"
    token = await csrf(client, form_path)
    bad = await client.post(form_path, data={"_csrf_token": token, "bank_bin": "12", "account_number": "x"},
                            follow_redirects=False)
    # The form comes back with the reason: 422 invalid_form, as on every form (it was a 400 error page).
    assert bad.status_code == 422 and "<code>bank_bin</code>" in bad.text
    saved = await client.post(form_path, data={"_csrf_token": token, "bank_bin": "970422",
                                               "account_number": "0912345678", "account_name": "NGUYEN VAN B"},
                              follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("bank-account?saved=1")
    assert 'value="0912345678"' in (await client.get(form_path)).text
    # A new account receives transfers once its 72-hour hold is over (test_payout_hold.py): that was 73 hours ago.
    await pool.execute("UPDATE merchant_bank_accounts SET updated_at = now() - interval '73 hours' "
                       "WHERE merchant_id = $1", merchant_id)
    # The buyer pays this merchant's own account now, and sends too little.
    await sign_in(client, pool, buyer)
    page = await client.get(f"/vi/payments/checkouts/{placed.checkout_id}")
    assert "0912345678" in page.text
    async with pool.acquire() as conn:
        payment_id = await conn.fetchval("SELECT id FROM payments WHERE checkout_id = $1", placed.checkout_id)
    body = json.dumps({"id": "FT-short", "amount": 1_000, "description": payment_code(payment_id),
                       "account_number": "0912345678"}).encode()
    moment = int(time.time())
    await client.post("/api/v1/payments/bank/webhook", content=body, headers={
        "content-type": "application/json", "x-bank-timestamp": str(moment),
        "x-bank-signature": sign_bank_notification(BANK_SECRET, body, moment)})
    body = json.dumps({"id": "FT-lost", "amount": 7_000, "description": "tien an"}).encode()
    await client.post("/api/v1/payments/bank/webhook", content=body, headers={
        "content-type": "application/json", "x-bank-timestamp": str(moment),
        "x-bank-signature": sign_bank_notification(BANK_SECRET, body, moment)})
    async with pool.acquire() as conn:
        admin = await make_user(conn, "admin")
    await sign_in(client, pool, admin)
    admin_page = (await client.get("/ko/payments/admin")).text
    assert "underpaid: received 1000 of 90000" in admin_page and "FT-lost" in admin_page
    # The merchant, who received it on its own account, returns the money from the order page.
    await sign_in(client, pool, owner)
    order_path = f"/vi/payments/orders/{placed.order_ids[0]}"
    token = await csrf(client, order_path)
    decided = await client.post(f"/vi/payments/{payment_id}/review", data={
        "_csrf_token": token, "decision": "return", "order_id": str(placed.order_ids[0])}, follow_redirects=False)
    assert decided.status_code == 303 and decided.headers["location"].endswith(order_path)
    assert "status-refunded" in (await client.get(order_path)).text


async def test_every_merchant_money_page_is_reachable_by_links(client: AsyncTestClient[Any],
                                                               pool: asyncpg.Pool) -> None:
    # Issue 14: the statement, bank-account and "cash received" pages were linked from nowhere.
    placed, _, owner, merchant_id, _ = await placed_order(pool, "cod")
    order_id = placed.order_ids[0]
    await sign_in(client, pool, owner)
    dashboard = (await client.get(f"/vi/merchant/{merchant_id}")).text
    links = set(re.findall(r'href="([^"]+)"', dashboard))
    statement = f"/vi/payments/merchants/{merchant_id}/statement"
    bank = f"/vi/payments/merchants/{merchant_id}/bank-account"
    assert {statement, bank, f"/vi/payments/orders/{order_id}"} <= links
    assert f"/vi/payments/orders/{order_id}" in re.findall(r'href="([^"]+)"',
                                                           (await client.get(f"/vi/orders/{order_id}")).text)
    for path in (statement, bank):
        assert (await client.get(path)).status_code == 200
    assert 'id="cash-collected"' in (await client.get(f"/vi/payments/orders/{order_id}")).text
