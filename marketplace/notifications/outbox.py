"""Writing notifications: `enqueue` is called inside the transaction of the event that causes them.

One `notifications` row per person and event (their in-app inbox), one `notification_deliveries` row per channel
that will carry it. Nothing is rendered here: the worker renders each message in the recipient's language when
it sends it, from the `data` stored now.
"""

from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from marketplace.notifications import repository
from marketplace.notifications.kinds import kind as kind_of

__all__ = ["enqueue", "enqueue_admins", "enqueue_merchant", "channels_for"]


def channels_for(recipient: Mapping[str, Any], transactional: bool) -> list[tuple[str, str]]:
    """(channel, address) pairs a message to this user goes by, from their addresses and choices.

    Notices stop entirely when notices are off; a transactional message reaches the person by mail (or, without
    an e-mail address, by SMS) even when they chose no channel, because it is what they asked for.
    """
    if not recipient["is_active"] or (not transactional and not recipient["pref_notices"]):
        return []
    email, phone = recipient["email"], recipient["phone"] if recipient["phone_verified"] else None
    chosen: list[tuple[str, str]] = []
    if email and recipient["pref_email"]:
        chosen.append(("email", email))
    if phone and recipient["pref_sms"]:
        chosen.append(("sms", phone))
    if phone and recipient["pref_zalo"]:
        chosen.append(("zalo", phone))
    if not chosen and transactional:
        chosen = [("email", email)] if email else [("sms", phone)] if phone else []
    return chosen


async def enqueue(conn: asyncpg.Connection, kind: str, *, user_id: int | None = None, email: str | None = None,
                  phone: str | None = None, locale: str = "vi", data: Any = None,
                  dedupe_key: str | None = None) -> int | None:
    """Record a notification and its deliveries in the caller's transaction; the id, or None when a
    notification with this `dedupe_key` exists already (the event happened before).

    With `user_id` the message goes to that account, in its language, by the channels it chose; `email` or
    `phone` instead send to that address alone (a new address to verify, a shop's phone without an account).
    """
    message_kind = kind_of(kind)
    targets: list[tuple[str, str]] = []
    if email:
        targets.append(("email", email))
    if phone:
        targets.append(("sms", phone))
    if user_id is not None:
        recipient = await repository.get_recipient(conn, user_id)
        if recipient is None:
            return None
        locale = recipient["locale"] or locale
        if not targets:
            targets = channels_for(recipient, message_kind.transactional)
    payload = msgspec.to_builtins(data or {})
    notification_id = await repository.insert_notification(conn, user_id, kind, locale, payload,
                                                            message_kind.transactional, dedupe_key)
    if notification_id is None:
        return None
    for channel, address in targets:
        await repository.insert_delivery(conn, notification_id, channel, address)
    if targets:
        await repository.wake_workers(conn)
    return notification_id


async def enqueue_admins(conn: asyncpg.Connection, kind: str, *, data: Any = None,
                         dedupe_key: str | None = None) -> None:
    """The same notice to every administrator."""
    for admin_id in await repository.admin_ids(conn):
        await enqueue(conn, kind, user_id=admin_id, data=data,
                      dedupe_key=f"{dedupe_key}:{admin_id}" if dedupe_key else None)


async def enqueue_merchant(conn: asyncpg.Connection, kind: str, merchant_id: int, *, data: dict[str, Any],
                           dedupe_key: str | None = None) -> None:
    """A message to a shop: its owner's account, or (an assisted shop nobody has taken over yet) its phone.

    `data` gains `shop_name`, the shop's name in every language it has.
    """
    row = await repository.merchant_owner(conn, merchant_id)
    if row is None:
        return
    data = {"shop_name": dict(row["name"]), **data}
    if row["owner_user_id"] is not None:
        await enqueue(conn, kind, user_id=row["owner_user_id"], data=data, dedupe_key=dedupe_key)
    elif row["phone"]:
        await enqueue(conn, kind, phone=row["phone"], data=data, dedupe_key=dedupe_key)
