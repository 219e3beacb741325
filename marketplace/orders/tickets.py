"""Tickets of booked experiences: issued when the order is confirmed, checked in once by the merchant's side."""

import secrets
from datetime import datetime

import asyncpg
import msgspec

from i18n import LocalizedText
from marketplace.orders import repository as repo
from marketplace.orders.models import Order
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.errors import Conflict, NotFound

__all__ = ["Ticket", "CheckedIn", "issue_tickets", "order_tickets", "check_in", "normalise_code", "VALID_STATUSES"]

# Letters and digits that cannot be mistaken for each other when read aloud or typed from paper.
ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
VALID_STATUSES = frozenset({"confirmed", "shipped", "delivered", "completed"})


class Ticket(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    code: str
    guests: int
    product_name: LocalizedText
    variant_label: LocalizedText
    starts_at: datetime | None
    checked_in_at: datetime | None


class CheckedIn(msgspec.Struct, frozen=True, kw_only=True):
    """A ticket the merchant just checked in (or found already used)."""

    code: str
    guests: int
    contact_name: str
    product_name: LocalizedText
    starts_at: datetime | None
    checked_in_at: datetime


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(typed: str) -> str:
    """A code as typed or scanned: case, spaces and dashes do not matter."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else raw


async def issue_tickets(conn: asyncpg.Connection, order: Order) -> list[Ticket]:
    """One ticket per booked slot of the order (idempotent: a second call issues nothing new)."""
    for item in order.items:
        if item.starts_at is not None:
            await repo.insert_ticket(conn, order.id, item.id, order.merchant_id, _new_code(), item.quantity)
    return await order_tickets(conn, order.id)


async def order_tickets(conn: asyncpg.Connection, order_id: int) -> list[Ticket]:
    return [msgspec.convert(dict(row), Ticket) for row in await repo.order_tickets(conn, order_id)]


async def check_in(conn: asyncpg.Connection, actor: Actor | None, typed_code: str) -> CheckedIn:
    """Mark the guests of a ticket as arrived: once only, and only by the merchant's side of its order."""
    user_id = require_user(actor)
    row = await repo.ticket_by_code(conn, normalise_code(typed_code))
    if row is None:
        raise NotFound("No ticket has this code.", code="ticket_not_found")
    await merchant_access(conn, actor, row["merchant_id"])
    if row["status"] not in VALID_STATUSES:
        raise Conflict("This booking is not confirmed (unpaid, cancelled or refunded).", code="ticket_not_valid")
    checked_in_at = await repo.check_in_ticket(conn, row["id"], user_id)
    if checked_in_at is None:
        raise Conflict("This ticket was already used.", code="ticket_already_used",
                       details={"checked_in_at": row["checked_in_at"].isoformat()})
    return CheckedIn(code=row["code"], guests=row["guests"], contact_name=row["contact_name"],
                     product_name=row["product_name"], starts_at=row["starts_at"], checked_in_at=checked_in_at)
