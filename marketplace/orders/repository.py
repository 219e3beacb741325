"""SQL for checkouts, orders, their lines, their recorded transitions and the stock they hold."""

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from marketplace.orders.models import (
    CheckoutContact,
    Order,
    OrderEvent,
    OrderHeader,
    OrderItem,
    OrderSummary,
    PurchasedLine,
)

__all__ = [
    "money_held_for_order",
    "list_stale_cash_orders",
    "buyer_unpaid_orders",
    "lock_checkout_key",
    "get_checkout_request",
    "insert_checkout_request",
    "lock_cart",
    "insert_checkout",
    "insert_order",
    "insert_order_item",
    "insert_order_event",
    "get_order_for_update",
    "update_order_status",
    "mark_reservation_released",
    "restock_order",
    "get_order",
    "list_orders",
    "product_ids_of_order",
    "reserve_stock",
    "get_checkout_contact",
    "get_order_header",
    "list_checkout_order_headers",
    "list_expirable_orders",
]

INSERT_CHECKOUT = """
INSERT INTO checkouts (buyer_user_id, contact_name, contact_phone, contact_email, province_code, commune_code,
                       address_line, payment_method, total, currency)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'VND') RETURNING id
"""
INSERT_ORDER = """
INSERT INTO orders (checkout_id, merchant_id, buyer_user_id, status, payment_method, delivery_method,
                    subtotal, delivery_fee, total, currency)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'VND') RETURNING id
"""
INSERT_ITEM = """
INSERT INTO order_items (order_id, product_id, variant_id, product_name, variant_label, sku, unit, unit_price,
                         quantity, line_total, starts_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
"""
INSERT_EVENT = """
INSERT INTO order_events (order_id, from_status, to_status, actor_user_id, reason) VALUES ($1, $2, $3, $4, $5)
"""
# The row lock serialises concurrent transitions of one order (a webhook and a merchant at once).
SELECT_FOR_UPDATE = "SELECT id, status, merchant_id, buyer_user_id FROM orders WHERE id = $1 FOR UPDATE"
UPDATE_STATUS = "UPDATE orders SET status = $2, updated_at = now() WHERE id = $1"
MARK_RELEASED = """
UPDATE orders SET reservation_released_at = now()
WHERE id = $1 AND reservation_released_at IS NULL RETURNING id
"""
RESTOCK = """
UPDATE product_variants v SET stock = v.stock + i.quantity
FROM order_items i WHERE i.order_id = $1 AND v.id = i.variant_id
"""
PRODUCT_IDS = "SELECT DISTINCT product_id FROM order_items WHERE order_id = $1"
# Conditional: never below zero, so concurrent checkouts cannot oversell (the CHECK on the table is the backstop).
RESERVE = "UPDATE product_variants SET stock = stock - $2 WHERE id = $1 AND stock >= $2 RETURNING stock"
SELECT_CHECKOUT_CONTACT = """
SELECT id, buyer_user_id, payment_method, total, currency, contact_email FROM checkouts WHERE id = $1
"""
SELECT_HEADER = """
SELECT id, checkout_id, merchant_id, buyer_user_id, status, payment_method, total, currency, created_at
FROM orders WHERE id = $1
"""
SELECT_HEADER_LOCKED = """
SELECT id, checkout_id, merchant_id, buyer_user_id, status, payment_method, total, currency, created_at
FROM orders WHERE id = $1 FOR UPDATE
"""
SELECT_CHECKOUT_HEADERS = """
SELECT id, checkout_id, merchant_id, buyer_user_id, status, payment_method, total, currency, created_at
FROM orders WHERE checkout_id = $1 ORDER BY id
"""
SELECT_CHECKOUT_HEADERS_LOCKED = """
SELECT id, checkout_id, merchant_id, buyer_user_id, status, payment_method, total, currency, created_at
FROM orders WHERE checkout_id = $1 ORDER BY id FOR UPDATE
"""
# The payments' expiry rule, on the orders it cancels. The deadline is the later of the order's age limit and
# any still-open provider session, so a buyer who is on Stripe's page when the limit passes is not cancelled
# under them. Money that arrived and waits in review keeps its orders whatever the deadline: a person decides,
# not the clock. The payment tables are read here because the rows to lock are the orders, in one statement:
# SKIP LOCKED lets several workers share the work without waiting on (or repeating) each other's rows.
SELECT_EXPIRABLE_LOCKED = """
SELECT o.id, o.checkout_id, o.merchant_id, o.buyer_user_id, o.status, o.payment_method, o.total, o.currency,
       o.created_at
FROM orders o
WHERE o.status = 'pending_payment' AND o.payment_method IN ('stripe', 'vietqr')
  AND o.created_at < $1::timestamptz - make_interval(secs => $2::double precision)
  AND NOT EXISTS (
      SELECT 1 FROM payment_orders po JOIN payments p ON p.id = po.payment_id
      WHERE po.order_id = o.id
        AND (p.status = 'review' OR (p.status = 'pending' AND p.expires_at > $1::timestamptz)))
ORDER BY o.created_at
LIMIT $3
FOR UPDATE OF o SKIP LOCKED
"""

SELECT_ORDER = """
SELECT
o.id, o.checkout_id, o.merchant_id, m.name AS merchant_name, m.slug AS merchant_slug,
m.phone AS merchant_phone, m.address AS merchant_address, o.buyer_user_id, o.status, o.payment_method,
o.delivery_method, o.subtotal, o.delivery_fee, o.total, o.currency, c.contact_name, c.contact_phone,
c.contact_email, c.province_code, c.commune_code, c.address_line, o.created_at, o.updated_at
FROM orders o JOIN merchants m ON m.id = o.merchant_id
JOIN checkouts c ON c.id = o.checkout_id WHERE o.id = $1
"""
SELECT_ITEMS = """
SELECT id, product_id, variant_id, product_name, variant_label, sku, unit, unit_price, quantity, line_total,
       starts_at
FROM order_items WHERE order_id = $1 ORDER BY id
"""
SELECT_EVENTS = """
SELECT e.from_status, e.to_status, e.actor_user_id, coalesce(u.display_name, '') AS actor_name, e.reason, e.at
FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.order_id = $1 ORDER BY e.id
"""
# Keyset pagination on (created_at, id) through `before_id`; the filters are optional and never concatenated.
LIST_ORDERS = """
SELECT o.id, o.checkout_id, o.merchant_id, m.name AS merchant_name, o.buyer_user_id, o.status,
       o.payment_method, o.delivery_method, o.total, o.currency, o.created_at
FROM orders o JOIN merchants m ON m.id = o.merchant_id
WHERE ($1::bigint IS NULL OR o.merchant_id = $1)
  AND ($2::bigint IS NULL OR o.buyer_user_id = $2)
  AND ($3::text IS NULL OR o.status = $3)
  AND ($4::bigint IS NULL OR o.id < $4)
  AND ($5::bigint IS NULL OR o.checkout_id = $5)
ORDER BY o.id DESC LIMIT $6
"""


async def insert_checkout(
    conn: asyncpg.Connection,
    buyer_user_id: int,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    province_code: int,
    commune_code: int,
    address_line: str,
    payment_method: str,
    total: int,
) -> int:
    """A new checkout; returns its id."""
    return await conn.fetchval(
        INSERT_CHECKOUT,
        buyer_user_id,
        contact_name,
        contact_phone,
        contact_email,
        province_code,
        commune_code,
        address_line,
        payment_method,
        total,
    )


async def insert_order(
    conn: asyncpg.Connection,
    checkout_id: int,
    merchant_id: int,
    buyer_user_id: int,
    status: str,
    payment_method: str,
    delivery_method: str,
    subtotal: int,
    delivery_fee: int,
) -> int:
    """A new order of one merchant; returns its id."""
    return await conn.fetchval(
        INSERT_ORDER,
        checkout_id,
        merchant_id,
        buyer_user_id,
        status,
        payment_method,
        delivery_method,
        subtotal,
        delivery_fee,
        subtotal + delivery_fee,
    )


async def insert_order_item(conn: asyncpg.Connection, order_id: int, line: PurchasedLine) -> None:
    """Copy a line into the order."""
    await conn.execute(
        INSERT_ITEM,
        order_id,
        line.product_id,
        line.variant_id,
        line.product_name,
        line.variant_label,
        line.sku,
        line.unit,
        line.unit_price,
        line.quantity,
        line.line_total,
        line.starts_at,
    )


async def insert_order_event(
    conn: asyncpg.Connection,
    order_id: int,
    from_status: str | None,
    to_status: str,
    actor_user_id: int | None,
    reason: str | None,
) -> None:
    """Record a transition."""
    await conn.execute(INSERT_EVENT, order_id, from_status, to_status, actor_user_id, reason)


async def get_order_for_update(conn: asyncpg.Connection, order_id: int) -> asyncpg.Record | None:
    """Lock the order row and return its status and parties."""
    return await conn.fetchrow(SELECT_FOR_UPDATE, order_id)


async def update_order_status(conn: asyncpg.Connection, order_id: int, status: str) -> None:
    """Set the status."""
    await conn.execute(UPDATE_STATUS, order_id, status)


async def mark_reservation_released(conn: asyncpg.Connection, order_id: int) -> bool:
    """Mark the reservation released; False when it already was."""
    return await conn.fetchval(MARK_RELEASED, order_id) is not None


async def restock_order(conn: asyncpg.Connection, order_id: int) -> None:
    """Give the order's quantities back to their variants."""
    await conn.execute(RESTOCK, order_id)


async def product_ids_of_order(conn: asyncpg.Connection, order_id: int) -> list[int]:
    """The products in an order."""
    return [row["product_id"] for row in await conn.fetch(PRODUCT_IDS, order_id)]


async def get_order(conn: asyncpg.Connection, order_id: int) -> Order | None:
    """An order with its lines and history, or None."""
    row = await conn.fetchrow(SELECT_ORDER, order_id)
    if row is None:
        return None
    items = [msgspec.convert(dict(r), OrderItem) for r in await conn.fetch(SELECT_ITEMS, order_id)]
    events = [msgspec.convert(dict(r), OrderEvent) for r in await conn.fetch(SELECT_EVENTS, order_id)]
    return msgspec.convert({**dict(row), "items": items, "events": events}, Order)


async def list_orders(
    conn: asyncpg.Connection,
    *,
    merchant_id: int | None = None,
    buyer_user_id: int | None = None,
    status: str | None = None,
    before_id: int | None = None,
    checkout_id: int | None = None,
    limit: int = 50,
) -> list[OrderSummary]:
    """Order summaries matching the optional filters, newest first."""
    rows = await conn.fetch(LIST_ORDERS, merchant_id, buyer_user_id, status, before_id, checkout_id, limit)
    return [msgspec.convert(dict(row), OrderSummary) for row in rows]


async def reserve_stock(conn: asyncpg.Connection, variant_id: int, quantity: int) -> bool:
    """Take `quantity` from a variant's stock (or slot seats); False, changing nothing, when fewer are left."""
    return await conn.fetchval(RESERVE, variant_id, quantity) is not None


async def get_checkout_contact(conn: asyncpg.Connection, checkout_id: int) -> CheckoutContact | None:
    """Buyer, payment method, total and e-mail of a checkout."""
    row = await conn.fetchrow(SELECT_CHECKOUT_CONTACT, checkout_id)
    return None if row is None else msgspec.convert(dict(row), CheckoutContact)


async def get_order_header(conn: asyncpg.Connection, order_id: int, *,
                           for_update: bool = False) -> OrderHeader | None:
    """One order without its lines; locked when the caller will change it or what it is owed."""
    row = await conn.fetchrow(SELECT_HEADER_LOCKED if for_update else SELECT_HEADER, order_id)
    return None if row is None else msgspec.convert(dict(row), OrderHeader)


async def list_checkout_order_headers(conn: asyncpg.Connection, checkout_id: int, *,
                                      for_update: bool = False) -> list[OrderHeader]:
    """The orders of a checkout in id order; locked when the caller will change their payments."""
    rows = await conn.fetch(SELECT_CHECKOUT_HEADERS_LOCKED if for_update else SELECT_CHECKOUT_HEADERS, checkout_id)
    return [msgspec.convert(dict(row), OrderHeader) for row in rows]


async def list_expirable_orders(conn: asyncpg.Connection, *, now: datetime, expiry_seconds: int,
                                limit: int) -> list[OrderHeader]:
    """Unpaid Stripe/VietQR orders past their deadline, locked; rows another worker holds are skipped."""
    rows = await conn.fetch(SELECT_EXPIRABLE_LOCKED, now, float(expiry_seconds), limit)
    return [msgspec.convert(dict(row), OrderHeader) for row in rows]


# Money a payment took for an order and that was not given back yet, and whether money for it waits in review.
# Read here (payments' tables) because cancelling is the orders' rule: a paid order is never cancelled alone.
SELECT_MONEY_HELD = """
SELECT COALESCE(sum(po.amount) FILTER (WHERE p.status IN ('paid', 'partially_refunded', 'refunded')), 0)
       - (SELECT COALESCE(sum(r.amount), 0) FROM refunds r WHERE r.order_id = $1 AND r.status <> 'failed')
       AS held,
       COALESCE(bool_or(p.status = 'review'), false) AS in_review
FROM payment_orders po JOIN payments p ON p.id = po.payment_id
WHERE po.order_id = $1
"""


async def money_held_for_order(conn: asyncpg.Connection, order_id: int) -> tuple[int, bool]:
    """What the order's payments took and was not refunded yet, and whether a payment of it is in review."""
    row = await conn.fetchrow(SELECT_MONEY_HELD, order_id)
    return int(row["held"]), bool(row["in_review"])


# Notifications and tickets (marketplace/orders/notices.py, marketplace/orders/tickets.py).
MERCHANT_CONTACT = """
SELECT m.owner_user_id, m.phone, m.name,
       (SELECT count(*) FROM orders o WHERE o.merchant_id = m.id) AS order_count,
       coalesce((SELECT array_agg(a.agent_user_id ORDER BY a.agent_user_id) FROM merchant_agents a
                 WHERE a.merchant_id = m.id AND a.ended_at IS NULL), '{}') AS agent_ids
FROM merchants m WHERE m.id = $1
"""
INSERT_TICKET = """
INSERT INTO tickets (order_id, order_item_id, merchant_id, code, guests) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (order_item_id) DO NOTHING
"""
SELECT_ORDER_TICKETS = """
SELECT t.id, t.code, t.guests, t.checked_in_at, i.product_name, i.variant_label, i.starts_at
FROM tickets t JOIN order_items i ON i.id = t.order_item_id WHERE t.order_id = $1 ORDER BY t.id
"""
SELECT_TICKET_BY_CODE = """
SELECT t.id, t.order_id, t.merchant_id, t.code, t.guests, t.checked_in_at, o.status, o.buyer_user_id,
       c.contact_name, i.product_name, i.variant_label, i.starts_at
FROM tickets t JOIN orders o ON o.id = t.order_id JOIN checkouts c ON c.id = o.checkout_id
JOIN order_items i ON i.id = t.order_item_id
WHERE t.code = $1
"""
CHECK_IN_TICKET = """
UPDATE tickets SET checked_in_at = now(), checked_in_by = $2 WHERE id = $1 AND checked_in_at IS NULL
RETURNING checked_in_at
"""
COUNT_NEW_MERCHANT_ORDERS = """
SELECT count(*) FROM orders o
WHERE o.status IN ('pending_payment', 'confirmed')
  AND o.merchant_id IN (SELECT id FROM merchants WHERE owner_user_id = $1
                        UNION SELECT merchant_id FROM merchant_agents WHERE agent_user_id = $1 AND ended_at IS NULL)
"""


async def merchant_contact(conn: asyncpg.Connection, merchant_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(MERCHANT_CONTACT, merchant_id)


async def insert_ticket(conn: asyncpg.Connection, order_id: int, item_id: int, merchant_id: int, code: str,
                        guests: int) -> None:
    await conn.execute(INSERT_TICKET, order_id, item_id, merchant_id, code, guests)


async def order_tickets(conn: asyncpg.Connection, order_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(SELECT_ORDER_TICKETS, order_id)


async def ticket_by_code(conn: asyncpg.Connection, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(SELECT_TICKET_BY_CODE, code)


async def check_in_ticket(conn: asyncpg.Connection, ticket_id: int, user_id: int | None) -> datetime | None:
    return await conn.fetchval(CHECK_IN_TICKET, ticket_id, user_id)


async def count_new_orders_for(conn: asyncpg.Connection, user_id: int) -> int:
    """Orders waiting for the merchant's side (to be paid or handed over) of the shops this user runs or assists."""
    return await conn.fetchval(COUNT_NEW_MERCHANT_ORDERS, user_id)


# Two requests with one idempotency key wait for each other here (until the first one's transaction ends).
LOCK_CHECKOUT_KEY = "SELECT pg_advisory_xact_lock(hashtext('checkout_request:' || $1::bigint::text || ':' || $2))"


async def lock_checkout_key(conn: asyncpg.Connection, buyer_user_id: int, key: str) -> None:
    """Serialise the requests of one buyer and idempotency key until the end of the transaction."""
    await conn.execute(LOCK_CHECKOUT_KEY, buyer_user_id, key)


async def get_checkout_request(conn: asyncpg.Connection, buyer_user_id: int, key: str) -> asyncpg.Record | None:
    """The stored request of this key (request_hash, response), if any."""
    return await conn.fetchrow(
        "SELECT request_hash, response FROM checkout_requests WHERE buyer_user_id = $1 AND idempotency_key = $2",
        buyer_user_id, key)


async def insert_checkout_request(conn: asyncpg.Connection, buyer_user_id: int, key: str, request_hash: str,
                                  checkout_id: int, response: dict[str, Any]) -> None:
    """Remember the answer to this key."""
    await conn.execute(
        """INSERT INTO checkout_requests (buyer_user_id, idempotency_key, request_hash, checkout_id, response)
           VALUES ($1, $2, $3, $4, $5)""",
        buyer_user_id, key, request_hash, checkout_id, response)


async def lock_cart(conn: asyncpg.Connection, cart_id: int) -> None:
    """Lock the cart being checked out: a second checkout of it waits, then finds it empty."""
    await conn.execute("SELECT 1 FROM carts WHERE id = $1 FOR UPDATE", cart_id)


# A buyer's open orders no money arrived for yet: awaiting an online payment, or cash not collected yet.
SELECT_BUYER_UNPAID = """
SELECT count(*) AS orders, COALESCE(sum(o.total), 0) AS reserved,
       (SELECT u.created_at FROM users u WHERE u.id = $1) AS account_created_at
FROM orders o
WHERE o.buyer_user_id = $1
  AND (o.status = 'pending_payment'
       OR (o.status IN ('confirmed', 'shipped') AND o.payment_method = 'cod'
           AND NOT EXISTS (SELECT 1 FROM payment_orders po JOIN payments p ON p.id = po.payment_id
                           WHERE po.order_id = o.id AND p.status IN ('paid', 'partially_refunded', 'refunded'))))
"""


async def buyer_unpaid_orders(conn: asyncpg.Connection, buyer_user_id: int) -> asyncpg.Record:
    """(orders, reserved, account_created_at): the buyer's open unpaid orders, their value, the account's age."""
    return await conn.fetchrow(SELECT_BUYER_UNPAID, buyer_user_id)


# Cash orders the merchant left untouched: still `confirmed` (never handed over) and no cash recorded, placed
# longer ago than the limit. Locked with SKIP LOCKED like the unpaid online orders.
SELECT_STALE_CASH_LOCKED = """
SELECT o.id, o.checkout_id, o.merchant_id, o.buyer_user_id, o.status, o.payment_method, o.total, o.currency,
       o.created_at
FROM orders o
WHERE o.status = 'confirmed' AND o.payment_method = 'cod'
  AND o.created_at < $1::timestamptz - make_interval(secs => $2::double precision)
  AND NOT EXISTS (
      SELECT 1 FROM payment_orders po JOIN payments p ON p.id = po.payment_id
      WHERE po.order_id = o.id AND p.status IN ('paid', 'partially_refunded', 'refunded', 'review'))
ORDER BY o.created_at
LIMIT $3
FOR UPDATE OF o SKIP LOCKED
"""


async def list_stale_cash_orders(conn: asyncpg.Connection, *, now: datetime, older_than_seconds: int,
                                 limit: int) -> list[OrderHeader]:
    """Cash-on-delivery orders the merchant has not handed over nor been paid for in time, locked."""
    rows = await conn.fetch(SELECT_STALE_CASH_LOCKED, now, float(older_than_seconds), limit)
    return [msgspec.convert(dict(row), OrderHeader) for row in rows]
