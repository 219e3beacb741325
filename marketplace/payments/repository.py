"""SQL for payments, events, refunds, bank accounts, the ledger and payouts (orders are read through orders)."""

from datetime import datetime, timedelta

import asyncpg
import msgspec

from marketplace.payments.models import (
    LedgerEntry,
    MerchantBalance,
    Payment,
    PaymentOrder,
    Payout,
    QueuedRefund,
    Refund,
)
from marketplace.payments.providers.protocol import BankAccount

__all__ = [
    "get_merchant_bank_account", "bank_account_changed_at", "merchant_contact",
    "upsert_merchant_bank_account", "insert_payment", "insert_payment_order", "get_payment",
    "get_payment_by_reference", "get_payment_by_intent", "list_payments_for_checkout",
    "list_payments_for_order", "list_payment_orders", "update_payment_started", "update_payment_state",
    "insert_event", "update_event", "insert_refund", "sum_refunds_for_order", "list_refunds_for_payment",
    "count_refunds_for_payment", "insert_ledger_entry", "list_ledger_entries", "get_merchant_balance",
    "list_merchant_balances", "insert_payout", "list_vietqr_payments_by_reference",
    "list_payments_in_review", "list_unmatched_events", "list_flagged_card_events", "get_merchant_owner",
    "expire_open_payments_for_order", "get_refund", "clear_fee_return_pending",
    "list_refunds_awaiting_fee_approval", "mark_refund_paid_by_hand",
    "list_queued_refunds", "get_payable_merchant_bank_account", "sum_fee_returnable_refunds", "sum_fee_returned",
    "get_largest_stripe_refund_seen", "list_merchant_names", "exists_merchant",
]

# Query constants are complete literals (no string building), each with its explicit column list.
SELECT_PAYMENT = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE id = $1"""
SELECT_PAYMENT_LOCKED = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE id = $1 FOR UPDATE"""
SELECT_PAYMENT_BY_REFERENCE_LOCKED = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE method = $1 AND provider_reference = $2
    ORDER BY id DESC LIMIT 1 FOR UPDATE"""
SELECT_PAYMENT_BY_INTENT_LOCKED = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE payment_intent = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE"""
SELECT_CHECKOUT_PAYMENTS = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE checkout_id = $1 ORDER BY id"""
SELECT_ORDER_PAYMENTS = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE id IN (SELECT payment_id FROM payment_orders WHERE order_id = $1)
    ORDER BY id"""
SELECT_VIETQR_BY_REFERENCE_LOCKED = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE method = 'vietqr' AND provider_reference = ANY($1::text[])
    ORDER BY id DESC FOR UPDATE"""
SELECT_PAYMENTS_IN_REVIEW = """
    SELECT id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at
    FROM payments WHERE status = 'review' ORDER BY updated_at LIMIT $1"""
# A charge.refunded event can overtake the checkout.session.completed of its payment (recorded by intent).
SELECT_LARGEST_STRIPE_REFUND = """SELECT max(amount) FROM payment_events
    WHERE method = 'stripe' AND provider_type = 'charge.refunded' AND description = $1"""
SELECT_REFUND = """SELECT id, payment_id, order_id, amount, status, provider_reference, reason, created_by,
    created_at, fee_return_pending FROM refunds WHERE id = $1"""
SELECT_REFUND_LOCKED = """SELECT id, payment_id, order_id, amount, status, provider_reference, reason, created_by,
    created_at, fee_return_pending FROM refunds WHERE id = $1 FOR UPDATE"""
INSERT_PAYMENT = """INSERT INTO payments (checkout_id, method, amount, currency, idempotency_key,
        payee_merchant_id, bank_bin, bank_account_number, bank_account_name, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, checkout_id, method, status, amount, currency, payee_merchant_id, bank_bin,
    bank_account_number,
    bank_account_name, provider_reference, payment_intent, redirect_url, qr_payload, amount_received,
    amount_refunded, last_error, review_reason, idempotency_key, expires_at, paid_at, created_at,
    updated_at"""
SELECT_BALANCE = """SELECT merchant_id,
    COALESCE(sum(amount) FILTER (WHERE kind = 'sale'), 0)::bigint AS sales,
    COALESCE(sum(amount) FILTER (WHERE kind IN ('platform_fee', 'fee_reversal')), 0)::bigint AS fees,
    COALESCE(sum(amount) FILTER (WHERE kind = 'refund'), 0)::bigint AS refunds,
    COALESCE(sum(amount) FILTER (WHERE kind = 'payout'), 0)::bigint AS payouts,
    COALESCE(sum(amount), 0)::bigint AS balance
    FROM ledger_entries WHERE merchant_id = $1 GROUP BY merchant_id"""
SELECT_BALANCES = """SELECT merchant_id,
    COALESCE(sum(amount) FILTER (WHERE kind = 'sale'), 0)::bigint AS sales,
    COALESCE(sum(amount) FILTER (WHERE kind IN ('platform_fee', 'fee_reversal')), 0)::bigint AS fees,
    COALESCE(sum(amount) FILTER (WHERE kind = 'refund'), 0)::bigint AS refunds,
    COALESCE(sum(amount) FILTER (WHERE kind = 'payout'), 0)::bigint AS payouts,
    COALESCE(sum(amount), 0)::bigint AS balance
    FROM ledger_entries GROUP BY merchant_id ORDER BY balance DESC, merchant_id"""


def _payment(row: asyncpg.Record | None) -> Payment | None:
    return None if row is None else msgspec.convert(dict(row), Payment)


def _payments(rows: list[asyncpg.Record]) -> list[Payment]:
    return [msgspec.convert(dict(row), Payment) for row in rows]


async def get_merchant_owner(conn: asyncpg.Connection, merchant_id: int) -> int | None:
    """The user who owns a merchant, if any."""
    return await conn.fetchval("SELECT owner_user_id FROM merchants WHERE id = $1", merchant_id)


async def get_merchant_bank_account(conn: asyncpg.Connection, merchant_id: int) -> BankAccount | None:
    """A merchant's own VietQR account."""
    row = await conn.fetchrow(
        "SELECT bank_bin, account_number, account_name FROM merchant_bank_accounts WHERE merchant_id = $1",
        merchant_id)
    return None if row is None else BankAccount(**dict(row))


async def get_payable_merchant_bank_account(conn: asyncpg.Connection, merchant_id: int,
                                            hold: timedelta) -> BankAccount | None:
    """A merchant's own VietQR account once it has been unchanged for `hold` (None before, or without one)."""
    row = await conn.fetchrow(
        """SELECT bank_bin, account_number, account_name FROM merchant_bank_accounts
           WHERE merchant_id = $1 AND updated_at <= now() - $2::interval""", merchant_id, hold)
    return None if row is None else BankAccount(**dict(row))


async def upsert_merchant_bank_account(conn: asyncpg.Connection, merchant_id: int,
                                       account: BankAccount) -> None:
    """Set or replace a merchant's VietQR account."""
    await conn.execute(
        """INSERT INTO merchant_bank_accounts (merchant_id, bank_bin, account_number, account_name)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (merchant_id) DO UPDATE SET bank_bin = EXCLUDED.bank_bin,
               account_number = EXCLUDED.account_number, account_name = EXCLUDED.account_name,
               updated_at = now()""",
        merchant_id, account.bank_bin, account.account_number, account.account_name)


async def insert_payment(conn: asyncpg.Connection, *, checkout_id: int, method: str, amount: int,
                         currency: str,
                         idempotency_key: str, payee_merchant_id: int | None = None,
                         bank: BankAccount | None = None, status: str = "pending") -> Payment | None:
    """A new payment; None when one with this idempotency key already exists."""
    row = await conn.fetchrow(
        INSERT_PAYMENT, checkout_id, method, amount, currency, idempotency_key, payee_merchant_id,
        bank.bank_bin if bank else None, bank.account_number if bank else None,
        bank.account_name if bank else None, status)
    return _payment(row)


async def insert_payment_order(conn: asyncpg.Connection, payment_id: int, order_id: int, amount: int) -> None:
    """Record that a payment covers an order."""
    await conn.execute(
        "INSERT INTO payment_orders (payment_id, order_id, amount) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        payment_id, order_id, amount)


async def get_payment(conn: asyncpg.Connection, payment_id: int, *,
                      for_update: bool = False) -> Payment | None:
    """One payment by id."""
    return _payment(await conn.fetchrow(SELECT_PAYMENT_LOCKED if for_update else SELECT_PAYMENT, payment_id))


async def get_payment_by_reference(conn: asyncpg.Connection, method: str, reference: str) -> Payment | None:
    """The newest payment of `method` with this provider reference (Stripe session id), locked."""
    return _payment(await conn.fetchrow(SELECT_PAYMENT_BY_REFERENCE_LOCKED, method, reference))


async def get_payment_by_intent(conn: asyncpg.Connection, payment_intent: str) -> Payment | None:
    """The Stripe payment with this payment intent, locked."""
    return _payment(await conn.fetchrow(SELECT_PAYMENT_BY_INTENT_LOCKED, payment_intent))


async def list_payments_for_checkout(conn: asyncpg.Connection, checkout_id: int) -> list[Payment]:
    """Every attempt for a checkout, oldest first."""
    return _payments(await conn.fetch(SELECT_CHECKOUT_PAYMENTS, checkout_id))


async def list_payments_for_order(conn: asyncpg.Connection, order_id: int) -> list[Payment]:
    """Every attempt that covers an order, oldest first."""
    return _payments(await conn.fetch(SELECT_ORDER_PAYMENTS, order_id))


async def list_vietqr_payments_by_reference(conn: asyncpg.Connection, references: list[str]) -> list[Payment]:
    """VietQR payments whose transfer content is one of `references`, newest first, locked."""
    return _payments(await conn.fetch(SELECT_VIETQR_BY_REFERENCE_LOCKED, references))


async def list_payments_in_review(conn: asyncpg.Connection, limit: int = 100) -> list[Payment]:
    """Payments a person has to decide on, oldest first."""
    return _payments(await conn.fetch(SELECT_PAYMENTS_IN_REVIEW, limit))


async def list_payment_orders(conn: asyncpg.Connection, payment_id: int) -> list[PaymentOrder]:
    """The orders a payment covers."""
    rows = await conn.fetch(
        "SELECT payment_id, order_id, amount FROM payment_orders WHERE payment_id = $1 ORDER BY order_id",
        payment_id)
    return [PaymentOrder(row["payment_id"], row["order_id"], row["amount"]) for row in rows]


async def update_payment_started(conn: asyncpg.Connection, payment_id: int, *, provider_reference: str | None,
                                 redirect_url: str | None, qr_payload: str | None,
                                 expires_at: datetime | None) -> None:
    """Keep what the provider returned when the payment started."""
    await conn.execute(
        """UPDATE payments SET provider_reference = $2, redirect_url = $3, qr_payload = $4, expires_at = $5,
               updated_at = now() WHERE id = $1""",
        payment_id, provider_reference, redirect_url, qr_payload, expires_at)


async def update_payment_state(conn: asyncpg.Connection, payment_id: int, *, status: str,
                               amount_received: int | None = None, amount_refunded: int | None = None,
                               payment_intent: str | None = None, last_error: str | None = None,
                               review_reason: str | None = None, paid: bool = False) -> None:
    """Move a payment to `status`; fields left None keep their value."""
    await conn.execute(
        """UPDATE payments SET status = $2,
               amount_received = COALESCE($3, amount_received),
               amount_refunded = COALESCE($4, amount_refunded),
               payment_intent = COALESCE($5, payment_intent),
               last_error = COALESCE($6, last_error),
               review_reason = COALESCE($7, review_reason),
               paid_at = CASE WHEN $8 THEN COALESCE(paid_at, now()) ELSE paid_at END,
               updated_at = now()
           WHERE id = $1""",
        payment_id, status, amount_received, amount_refunded, payment_intent, last_error, review_reason, paid)


async def insert_event(conn: asyncpg.Connection, *, method: str, event_id: str, provider_type: str,
                       amount: int | None = None, description: str | None = None) -> bool:
    """Record an event id; False when it was recorded before (a replay), which must change nothing."""
    inserted = await conn.fetchval(
        """INSERT INTO payment_events (method, event_id, provider_type, amount, description, outcome)
           VALUES ($1, $2, $3, $4, $5, 'received')
           ON CONFLICT (method, event_id) DO NOTHING RETURNING true""",
        method, event_id, provider_type, amount, description)
    return bool(inserted)


async def update_event(conn: asyncpg.Connection, method: str, event_id: str, *, outcome: str,
                       payment_id: int | None) -> None:
    """Record what an event did."""
    await conn.execute(
        "UPDATE payment_events SET outcome = $3, payment_id = $4 WHERE method = $1 AND event_id = $2",
        method, event_id, outcome, payment_id)


async def list_unmatched_events(conn: asyncpg.Connection, limit: int = 100) -> list[asyncpg.Record]:
    """Bank transfers no open payment could take (no code, or money for a settled payment), newest first."""
    return await conn.fetch(
        """SELECT method, event_id, provider_type, amount, description, outcome, received_at
           FROM payment_events
           WHERE method = 'vietqr' AND outcome IN ('unmatched', 'flagged_extra_transfer')
           ORDER BY received_at DESC LIMIT $1""", limit)


async def list_flagged_card_events(conn: asyncpg.Connection, limit: int = 100) -> list[asyncpg.Record]:
    """Stripe events a person must look at (refunds made or failed outside the marketplace), newest first."""
    return await conn.fetch(
        """SELECT method, event_id, provider_type, amount, description, outcome, payment_id, received_at
           FROM payment_events
           WHERE method = 'stripe' AND outcome LIKE 'flagged%'
           ORDER BY received_at DESC LIMIT $1""", limit)


async def insert_refund(conn: asyncpg.Connection, *, payment_id: int, order_id: int | None, amount: int,
                        status: str, provider_reference: str | None, reason: str, idempotency_key: str,
                        created_by: int | None, fee_return_pending: bool = False) -> Refund:
    """Record a refund."""
    row = await conn.fetchrow(
        """INSERT INTO refunds (payment_id, order_id, amount, status, provider_reference, reason,
               idempotency_key, created_by, fee_return_pending)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, payment_id, order_id, amount, status, provider_reference, reason, created_by,
               created_at, fee_return_pending""",
        payment_id, order_id, amount, status, provider_reference, reason, idempotency_key, created_by,
        fee_return_pending)
    return msgspec.convert(dict(row), Refund)


async def get_refund(conn: asyncpg.Connection, refund_id: int, *, for_update: bool = False) -> Refund | None:
    """One refund by id (locked when the caller changes it)."""
    query = (SELECT_REFUND_LOCKED if for_update else SELECT_REFUND)
    row = await conn.fetchrow(query, refund_id)
    return None if row is None else msgspec.convert(dict(row), Refund)


async def clear_fee_return_pending(conn: asyncpg.Connection, refund_id: int) -> None:
    """An admin approved returning the fee on a merchant's manual refund."""
    await conn.execute("UPDATE refunds SET fee_return_pending = false WHERE id = $1", refund_id)


async def mark_refund_paid_by_hand(conn: asyncpg.Connection, refund_id: int, *, paid_by: int,
                                   reference: str) -> None:
    """An admin sent a queued refund back by hand."""
    await conn.execute(
        """UPDATE refunds SET status = 'succeeded', paid_by = $2, paid_at = now(), paid_reference = $3
           WHERE id = $1 AND status = 'queued'""", refund_id, paid_by, reference)


async def list_queued_refunds(conn: asyncpg.Connection, limit: int = 200) -> list[QueuedRefund]:
    """Refunds an admin must pay back by hand, oldest first, with whom to pay and how to reach them."""
    rows = await conn.fetch(
        """SELECT r.id, r.order_id, r.amount, p.currency, p.method, r.reason, r.created_at, o.merchant_id,
                  u.display_name AS buyer_name, u.email AS buyer_email, u.phone AS buyer_phone
           FROM refunds r
           JOIN payments p ON p.id = r.payment_id
           LEFT JOIN orders o ON o.id = r.order_id
           LEFT JOIN users u ON u.id = o.buyer_user_id
           WHERE r.status = 'queued' ORDER BY r.created_at, r.id LIMIT $1""", limit)
    return [msgspec.convert(dict(row), QueuedRefund) for row in rows]


async def list_refunds_awaiting_fee_approval(conn: asyncpg.Connection, limit: int = 100) -> list[Refund]:
    """Merchants' manual refunds whose platform fee waits for an admin, oldest first."""
    rows = await conn.fetch(
        """SELECT id, payment_id, order_id, amount, status, provider_reference, reason, created_by, created_at,
               fee_return_pending
           FROM refunds WHERE fee_return_pending ORDER BY created_at, id LIMIT $1""", limit)
    return [msgspec.convert(dict(row), Refund) for row in rows]


async def sum_fee_returnable_refunds(conn: asyncpg.Connection, order_id: int) -> int:
    """What was given back for an order and may have its platform fee returned (not failed, not waiting)."""
    return int(await conn.fetchval(
        """SELECT COALESCE(sum(amount), 0) FROM refunds
           WHERE order_id = $1 AND status <> 'failed' AND NOT fee_return_pending""", order_id))


async def sum_fee_returned(conn: asyncpg.Connection, order_id: int) -> int:
    """The platform fee already given back on an order's refunds."""
    return int(await conn.fetchval(
        "SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE order_id = $1 AND kind = 'fee_reversal'",
        order_id))


async def sum_refunds_for_order(conn: asyncpg.Connection, order_id: int) -> int:
    """What has been given back for an order so far."""
    return int(await conn.fetchval(
        "SELECT COALESCE(sum(amount), 0) FROM refunds WHERE order_id = $1 AND status <> 'failed'", order_id))


async def count_refunds_for_payment(conn: asyncpg.Connection, payment_id: int) -> int:
    """How many refunds a payment has had (numbers the next refund's idempotency key)."""
    return int(await conn.fetchval("SELECT count(*) FROM refunds WHERE payment_id = $1", payment_id))


async def list_refunds_for_payment(conn: asyncpg.Connection, payment_id: int) -> list[Refund]:
    """A payment's refunds, oldest first."""
    rows = await conn.fetch(
        """SELECT id, payment_id, order_id, amount, status, provider_reference, reason, created_by, created_at,
               fee_return_pending
           FROM refunds WHERE payment_id = $1 ORDER BY id""", payment_id)
    return [msgspec.convert(dict(row), Refund) for row in rows]


async def insert_ledger_entry(conn: asyncpg.Connection, *, merchant_id: int, kind: str, amount: int,
                              currency: str = "VND", order_id: int | None = None,
                              refund_id: int | None = None,
                              payout_id: int | None = None, note: str = "") -> bool:
    """Add a ledger line; False when the same order/refund/payout line exists (nothing counted twice)."""
    inserted = await conn.fetchval(
        """INSERT INTO ledger_entries (merchant_id, kind, amount, currency, order_id, refund_id, payout_id,
               note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING true""",
        merchant_id, kind, amount, currency, order_id, refund_id, payout_id, note)
    return bool(inserted)


async def list_ledger_entries(conn: asyncpg.Connection, merchant_id: int, *, since: datetime | None = None,
                              until: datetime | None = None, limit: int = 10_000) -> list[LedgerEntry]:
    """A merchant's ledger lines in time order, optionally within [since, until)."""
    rows = await conn.fetch(
        """SELECT id, merchant_id, kind, amount, currency, order_id, refund_id, payout_id, note, created_at
           FROM ledger_entries
           WHERE merchant_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2)
             AND ($3::timestamptz IS NULL OR created_at < $3)
           ORDER BY created_at, id LIMIT $4""", merchant_id, since, until, limit)
    return [msgspec.convert(dict(row), LedgerEntry) for row in rows]


async def get_merchant_balance(conn: asyncpg.Connection, merchant_id: int) -> MerchantBalance:
    """The totals of a merchant's ledger."""
    row = await conn.fetchrow(SELECT_BALANCE, merchant_id)
    if row is None:
        return MerchantBalance(merchant_id=merchant_id, sales=0, fees=0, refunds=0, payouts=0, balance=0)
    return msgspec.convert(dict(row), MerchantBalance)


async def list_merchant_balances(conn: asyncpg.Connection) -> list[MerchantBalance]:
    """Every merchant with ledger lines, largest balance owed first."""
    return [msgspec.convert(dict(row), MerchantBalance) for row in await conn.fetch(SELECT_BALANCES)]


async def insert_payout(conn: asyncpg.Connection, *, merchant_id: int, amount: int, currency: str,
                        method: str,
                        external_reference: str, note: str, created_by: int | None) -> Payout:
    """Record money sent to a merchant."""
    row = await conn.fetchrow(
        """INSERT INTO payouts (merchant_id, amount, currency, method, external_reference, note, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, merchant_id, amount, currency, method, external_reference, note, created_by,
               created_at""",
        merchant_id, amount, currency, method, external_reference, note, created_by)
    return msgspec.convert(dict(row), Payout)


async def expire_open_payments_for_order(conn: asyncpg.Connection, order_id: int) -> int:
    """Mark an order's pending payments expired; a payment a webhook holds right now is skipped (it will
    find the order cancelled and flag itself for review), so the two never wait on each other."""
    result = await conn.execute(
        """UPDATE payments SET status = 'expired', updated_at = now()
           WHERE id IN (SELECT p.id FROM payments p JOIN payment_orders po ON po.payment_id = p.id
                        WHERE po.order_id = $1 AND p.status = 'pending' FOR UPDATE OF p SKIP LOCKED)""",
        order_id)
    return int(result.split()[-1])



async def get_largest_stripe_refund_seen(conn: asyncpg.Connection, payment_intent: str) -> int | None:
    """The largest cumulative refund total Stripe reported for a payment intent so far, if any."""
    total = await conn.fetchval(SELECT_LARGEST_STRIPE_REFUND, payment_intent)
    return None if total is None else int(total)


async def list_merchant_names(conn: asyncpg.Connection, merchant_ids: list[int]) -> dict[int, dict[str, str]]:
    """The names of these merchants by id (for lists of balances)."""
    rows = await conn.fetch("SELECT id, name FROM merchants WHERE id = ANY($1::bigint[])", merchant_ids)
    return {row["id"]: row["name"] for row in rows}


async def exists_merchant(conn: asyncpg.Connection, merchant_id: int) -> bool:
    """True when a merchant with this id exists (whatever its status)."""
    return bool(await conn.fetchval("SELECT true FROM merchants WHERE id = $1", merchant_id))


async def bank_account_changed_at(conn: asyncpg.Connection, merchant_id: int) -> datetime | None:
    """When the merchant's own account was last set or changed (None: it has none)."""
    return await conn.fetchval("SELECT updated_at FROM merchant_bank_accounts WHERE merchant_id = $1", merchant_id)


async def merchant_contact(conn: asyncpg.Connection, merchant_id: int) -> dict[str, str | None]:
    """Where the merchant is told about changes to its money: the shop's phone and its owner's email."""
    row = await conn.fetchrow("""SELECT m.phone, u.email FROM merchants m LEFT JOIN users u ON u.id = m.owner_user_id
                                 WHERE m.id = $1""", merchant_id)
    return {"phone": row["phone"], "email": row["email"]} if row is not None else {"phone": None, "email": None}
