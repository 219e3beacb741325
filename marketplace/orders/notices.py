"""Who hears about an order, and what they are told: enqueued in the transaction that changes the order.

Buyer: placed, confirmed (paid), shipped, delivered, refunded, and a ticket for each booked experience.
Merchant: a new order (or, for cash on delivery, the cash to collect); an assisted shop without an owner
account is told by SMS on the shop's phone. Agents: the first order of a household they assist.
"""

from typing import Any

import asyncpg

from marketplace.notifications.outbox import enqueue
from marketplace.notifications.service import unread_count
from marketplace.orders import repository as repo
from marketplace.orders.models import Order
from marketplace.orders.tickets import issue_tickets

__all__ = ["order_data", "order_placed", "order_status_changed", "BUYER_STATUS_KINDS", "dashboard_counts"]

BUYER_STATUS_KINDS = {
    "confirmed": "order_confirmed",
    "shipped": "order_shipped",
    "delivered": "order_delivered",
    "refunded": "order_refunded",
}


def order_data(order: Order) -> dict[str, Any]:
    """What the messages about an order say (copied now: a later edit does not rewrite a sent message)."""
    return {
        "id": order.id, "checkout_id": order.checkout_id, "status": order.status, "total": order.total,
        "currency": order.currency, "payment_method": order.payment_method,
        "delivery_method": order.delivery_method, "merchant_name": dict(order.merchant_name),
        "merchant_phone": order.merchant_phone, "merchant_address": order.merchant_address,
        "contact_name": order.contact_name, "contact_phone": order.contact_phone, "address": order.address_line,
        "items": [{"name": dict(item.product_name), "label": dict(item.variant_label), "quantity": item.quantity,
                   "line_total": item.line_total,
                   "starts_at": item.starts_at.isoformat() if item.starts_at else None} for item in order.items],
    }


async def _load(conn: asyncpg.Connection, order_id: int) -> Order:
    order = await repo.get_order(conn, order_id)
    assert order is not None, "notices are written for an order that exists in this transaction"
    return order


async def order_placed(conn: asyncpg.Connection, order_id: int) -> None:
    """A new order: the buyer's receipt, the merchant's order to prepare, tickets when already confirmed."""
    order = await _load(conn, order_id)
    data = {"order": order_data(order)}
    await enqueue(conn, "order_placed", user_id=order.buyer_user_id, data=data, dedupe_key=f"order_placed:{order.id}")
    contact = await repo.merchant_contact(conn, order.merchant_id)
    if contact is None:
        return
    merchant_kind = "merchant_cash_to_collect" if order.payment_method == "cod" else "merchant_new_order"
    await _tell_merchant(conn, contact, merchant_kind, data, f"{merchant_kind}:{order.id}")
    if contact["order_count"] == 1:
        for agent_id in contact["agent_ids"]:
            await enqueue(conn, "agent_first_order", user_id=agent_id, data=data,
                          dedupe_key=f"agent_first_order:{order.merchant_id}:{agent_id}")
    if order.status == "confirmed":
        await _send_tickets(conn, order)


async def _tell_merchant(conn: asyncpg.Connection, contact: asyncpg.Record, kind: str, data: dict[str, Any],
                         key: str) -> None:
    if contact["owner_user_id"] is not None:
        await enqueue(conn, kind, user_id=contact["owner_user_id"], data=data, dedupe_key=key)
    elif contact["phone"]:
        await enqueue(conn, kind, phone=contact["phone"], data=data, dedupe_key=key)


async def order_status_changed(conn: asyncpg.Connection, order_id: int, from_status: str, to_status: str) -> None:
    """After a transition: the buyer hears of it; a payment that confirms an order also tells the merchant."""
    kind = BUYER_STATUS_KINDS.get(to_status)
    if kind is None:
        return
    order = await _load(conn, order_id)
    data = {"order": order_data(order)}
    await enqueue(conn, kind, user_id=order.buyer_user_id, data=data, dedupe_key=f"{kind}:{order.id}")
    if (from_status, to_status) == ("pending_payment", "confirmed"):
        contact = await repo.merchant_contact(conn, order.merchant_id)
        if contact is not None:
            await _tell_merchant(conn, contact, "merchant_new_order", data, f"merchant_new_order:{order.id}")
        await _send_tickets(conn, order)


async def _send_tickets(conn: asyncpg.Connection, order: Order) -> None:
    tickets = await issue_tickets(conn, order)
    if not tickets:
        return
    data = {"order": order_data(order), "tickets": [
        {"code": t.code, "guests": t.guests, "title": dict(t.product_name),
         "starts_at": t.starts_at.isoformat() if t.starts_at else None} for t in tickets]}
    await enqueue(conn, "booking_ticket", user_id=order.buyer_user_id, data=data,
                  dedupe_key=f"booking_ticket:{order.id}")


async def dashboard_counts(conn: asyncpg.Connection, user_id: int | None) -> dict[str, int]:
    """What a merchant's or agent's dashboard shows first: orders waiting for them and unread notifications."""
    if user_id is None:
        return {"new_orders": 0, "unread": 0}
    return {"new_orders": await repo.count_new_orders_for(conn, user_id),
            "unread": await unread_count(conn, user_id)}
