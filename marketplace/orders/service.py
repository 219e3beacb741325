"""Order rules: the one place transitions are enforced, reservations released, and orders shown to whom."""

from typing import Protocol, runtime_checkable

import asyncpg

from marketplace.orders import repository as repo
from marketplace.orders.errors import InvalidTransition, OrderNotFound, OrderPaid
from marketplace.orders.models import Order, OrderSummary, OrderView
from marketplace.orders.notices import order_status_changed
from marketplace.orders.states import (
    BUYER_TRANSITIONS,
    MERCHANT_TRANSITIONS,
    ORDER_STATUSES,
    RELEASES_STOCK,
    is_allowed,
)
from marketplace.platform.access import Actor, MerchantAccess, merchant_access, require_user
from marketplace.platform.audit import record_if_agent
from marketplace.platform.errors import AppError, Forbidden
from search.outbox import enqueue

__all__ = [
    "transition",
    "release_reservation",
    "get_order_for",
    "list_buyer_orders",
    "list_merchant_orders",
    "change_status_as",
    "list_checkout_orders",
    "order_view_for",
    "get_order_for_merchant",
    "CancellationRefunder",
]


@runtime_checkable
class CancellationRefunder(Protocol):
    """Gives back the money of a paid order being cancelled (payments implements it; orders cannot import it)."""

    async def refund_for_cancellation(self, conn: asyncpg.Connection, order_id: int, *, actor_user_id: int,
                                      by_admin: bool, reason: str) -> None:
        """Refund what the order's payment took and is not refunded yet, booking it in the ledger."""
        ...


async def transition(
    conn: asyncpg.Connection,
    order_id: int,
    to_status: str,
    actor_user_id: int | None,
    reason: str | None = None,
) -> str:
    """Move an order to `to_status` if the state machine allows it; record who and when; return the old one.

    Authorisation is the caller's job (see `change_status_as`); payments call this directly with the
    system as actor (None) for paid, expired and refunded. Cancelling, or refunding before shipping,
    puts the reserved stock back in the same transaction.
    """
    if to_status not in ORDER_STATUSES:
        raise InvalidTransition(f"Unknown status {to_status!r}.", details={"to": to_status})
    row = await repo.get_order_for_update(conn, order_id)
    if row is None:
        raise OrderNotFound("No such order.")
    from_status: str = row["status"]
    if not is_allowed(from_status, to_status):
        raise InvalidTransition(
            f"An order cannot go from {from_status} to {to_status}.",
            details={"from": from_status, "to": to_status},
        )
    if to_status == "cancelled":
        await _refuse_cancelling_money(conn, order_id)
    await repo.update_order_status(conn, order_id, to_status)
    await repo.insert_order_event(conn, order_id, from_status, to_status, actor_user_id, reason)
    if (from_status, to_status) in RELEASES_STOCK:
        await release_reservation(conn, order_id)
    # The buyer (and, when a payment confirms it, the merchant) hears of it once this transaction commits.
    await order_status_changed(conn, order_id, from_status, to_status)
    return from_status


async def _refuse_cancelling_money(conn: asyncpg.Connection, order_id: int) -> None:
    """A cancelled order must not keep money: one with a payment still held (or in review) is refunded, not
    cancelled (see `change_status_as`)."""
    held, in_review = await repo.money_held_for_order(conn, order_id)
    if in_review:
        raise OrderPaid("Money for this order waits for an administrator's review; it cannot be cancelled now.",
                        code="order_payment_in_review")
    if held > 0:
        raise OrderPaid("This order is paid: cancelling it refunds the payment.", details={"held": held})


async def release_reservation(conn: asyncpg.Connection, order_id: int) -> bool:
    """Return the order's reserved stock and slot seats; idempotent (False when already released)."""
    if not await repo.mark_reservation_released(conn, order_id):
        return False
    await repo.restock_order(conn, order_id)
    # Availability is part of what search shows (a sold-out product is back).
    await enqueue(conn, [f"product:{pid}" for pid in await repo.product_ids_of_order(conn, order_id)])
    return True


async def get_order_for(conn: asyncpg.Connection, actor: Actor | None, order_id: int) -> Order:
    """The order, for its buyer, its merchant (owner or assisting agent) or an admin; 404 for anyone else."""
    order, _ = await _order_and_access(conn, actor, order_id)
    return order


async def order_view_for(conn: asyncpg.Connection, actor: Actor | None, order_id: int) -> OrderView:
    """An order with the steps this person may take on it (as buyer, merchant side, or both); 404 otherwise."""
    order, access = await _order_and_access(conn, actor, order_id)
    is_buyer = order.buyer_user_id == getattr(actor, "user_id", None)
    is_merchant = access is not None
    actions = sorted(
        {to for (frm, to) in BUYER_TRANSITIONS if is_buyer and frm == order.status}
        | {to for (frm, to) in MERCHANT_TRANSITIONS if is_merchant and frm == order.status}
    )
    return OrderView(order=order, is_buyer=is_buyer, is_merchant=is_merchant, actions=actions)


async def get_order_for_merchant(conn: asyncpg.Connection, actor: Actor | None, order_id: int) -> Order:
    """An order for its merchant's side only (owner, assisting agent, admin), e.g. for a packing slip."""
    order, access = await _order_and_access(conn, actor, order_id)
    if access is None:
        # Its buyer, who is not of the merchant's side: the 404 of a merchant one does not manage.
        await merchant_access(conn, actor, order.merchant_id)
    return order


async def list_buyer_orders(
    conn: asyncpg.Connection, actor: Actor | None, *, before_id: int | None = None, limit: int = 50
) -> list[OrderSummary]:
    """The signed-in buyer's own orders, newest first."""
    return await repo.list_orders(conn, buyer_user_id=require_user(actor), before_id=before_id, limit=limit)


async def list_checkout_orders(conn: asyncpg.Connection, actor: Actor | None, checkout_id: int) -> list[OrderSummary]:
    """The orders of one of the buyer's checkouts."""
    return await repo.list_orders(conn, buyer_user_id=require_user(actor), checkout_id=checkout_id, limit=100)


async def list_merchant_orders(
    conn: asyncpg.Connection,
    actor: Actor | None,
    merchant_id: int,
    *,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[OrderSummary]:
    """A merchant's orders for its dashboard."""
    await merchant_access(conn, actor, merchant_id)
    return await repo.list_orders(conn, merchant_id=merchant_id, status=status, before_id=before_id, limit=limit)


async def change_status_as(
    conn: asyncpg.Connection, actor: Actor | None, order_id: int, to_status: str, reason: str | None = None,
    *, refunder: CancellationRefunder | None = None,
) -> Order:
    """A person asks for a transition: the buyer, the merchant side or an admin, each for what they may do.

    Cancelling a paid order refunds it through `refunder` (the payment's provider, booked in the ledger);
    a fully refunded order that never left the merchant ends `refunded` with its stock back. Without a
    refunder a paid order is not cancelled (409 order_paid)."""
    order, access = await _order_and_access(conn, actor, order_id)
    user_id = require_user(actor)
    step = (order.status, to_status)
    if not is_allowed(*step):
        raise InvalidTransition(
            f"An order cannot go from {order.status} to {to_status}.",
            details={"from": order.status, "to": to_status},
        )
    is_admin = actor is not None and actor.has_role("admin")
    as_buyer = order.buyer_user_id == user_id and step in BUYER_TRANSITIONS
    as_merchant = access is not None and access.via != "admin" and step in MERCHANT_TRANSITIONS
    if not (is_admin or as_buyer or as_merchant):
        raise Forbidden(
            "You may not make this change to the order.",
            code="transition_forbidden",
            details={"from": order.status, "to": to_status},
        )
    if as_merchant and access is not None:
        await record_if_agent(
            conn, access, "order.status", {"order_id": order_id, "from": order.status, "to": to_status}
        )
    held, _ = await repo.money_held_for_order(conn, order_id)
    if to_status == "cancelled" and held > 0 and refunder is not None:
        await refunder.refund_for_cancellation(conn, order_id, actor_user_id=user_id, by_admin=is_admin,
                                               reason=reason or "order cancelled")
        await _finish_cancellation(conn, order_id, user_id, reason)
    else:
        await transition(conn, order_id, to_status, user_id, reason)
    updated = await repo.get_order(conn, order_id)
    assert updated is not None
    return updated


async def _finish_cancellation(conn: asyncpg.Connection, order_id: int, user_id: int, reason: str | None) -> None:
    # A full refund moved the order to refunded (stock back); one that is still open is cancelled now.
    row = await repo.get_order_for_update(conn, order_id)
    if row is not None and row["status"] not in ("refunded", "cancelled"):
        await transition(conn, order_id, "cancelled", user_id, reason)


async def _order_and_access(conn: asyncpg.Connection, actor: Actor | None,
                            order_id: int) -> tuple[Order, MerchantAccess | None]:
    """The order with the actor's access to its merchant (None: not of its merchant side), for its buyer or its
    merchant side; 404 for anyone else. The access is read once, for the callers that act on it too."""
    user_id = require_user(actor)
    order = await repo.get_order(conn, order_id)
    if order is None:
        raise OrderNotFound("No such order.")
    access = await _merchant_access_or_none(conn, actor, order.merchant_id)
    if access is None and order.buyer_user_id != user_id:
        # Strangers get "not found", so order ids do not reveal which orders exist.
        raise OrderNotFound("No such order.")
    return order, access


async def _merchant_access_or_none(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int
) -> MerchantAccess | None:
    try:
        return await merchant_access(conn, actor, merchant_id)
    except AppError:
        return None
