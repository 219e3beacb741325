"""Reading notifications: the admins' outbox, a person's inbox and unread count, channel preferences."""

import asyncpg

from marketplace.notifications import repository
from marketplace.notifications.kinds import KINDS
from marketplace.notifications.messages import MessageRenderer, check_unsubscribe_token
from marketplace.notifications.models import InboxEntry, OutboxEntry, Preferences, PreferencesForm
from marketplace.platform.errors import NotFound

__all__ = ["outbox", "outbox_counts", "retry", "inbox", "unread_count", "mark_all_read", "preferences",
           "save_preferences", "unsubscribe"]

# What the outbox shows of a message that carried a code or a link that signs in, once it has been sent.
REDACTED = "…"


def _safe_to_render(row: asyncpg.Record) -> bool:
    kind = KINDS.get(row["kind"])
    return kind is not None and (not kind.secret or "secret" in (row["data"] or {}))


async def outbox(conn: asyncpg.Connection, renderer: MessageRenderer, state: str | None = None,
                 limit: int = 100) -> list[OutboxEntry]:
    """The newest deliveries (of one state), each with the message as it is (or was) sent."""
    entries = []
    for row in await repository.list_deliveries(conn, state, limit):
        subject, text = REDACTED, REDACTED
        if _safe_to_render(row):
            message = renderer.render(row, row["channel"], row["recipient"], row["id"])
            subject, text = message.subject, message.text
        entries.append(OutboxEntry(
            id=row["id"], notification_id=row["notification_id"], kind=row["kind"], channel=row["channel"],
            recipient=row["recipient"], state=row["state"], attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"], last_error=row["last_error"], sent_at=row["sent_at"],
            created_at=row["created_at"], subject=subject, text=text))
    return entries


async def outbox_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return await repository.count_by_state(conn)


async def retry(conn: asyncpg.Connection, delivery_id: int) -> None:
    """Send a dead (or held) delivery again from the first try."""
    if not await repository.retry_delivery(conn, delivery_id):
        raise NotFound("No such failed message.", code="delivery_not_found")
    await repository.wake_workers(conn)


async def inbox(conn: asyncpg.Connection, renderer: MessageRenderer, user_id: int, limit: int = 50) -> list[InboxEntry]:
    rows = await repository.list_inbox(conn, user_id, limit)
    return [InboxEntry(id=row["id"], kind=row["kind"], created_at=row["created_at"], read=row["read_at"] is not None,
                       subject=renderer.subject({**dict(row), "user_id": user_id, "transactional": True})
                       if row["kind"] in KINDS else row["kind"])
            for row in rows]


async def unread_count(conn: asyncpg.Connection, user_id: int) -> int:
    return await repository.count_unread(conn, user_id)


async def mark_all_read(conn: asyncpg.Connection, user_id: int) -> None:
    await repository.mark_all_read(conn, user_id)


async def preferences(conn: asyncpg.Connection, user_id: int) -> Preferences:
    row = await repository.get_preferences(conn, user_id)
    return Preferences(**dict(row)) if row is not None else Preferences()


async def save_preferences(conn: asyncpg.Connection, user_id: int, form: PreferencesForm) -> None:
    await repository.save_preferences(conn, user_id, form.email, form.sms, form.zalo, form.notices)


async def unsubscribe(conn: asyncpg.Connection, secret_key: str, user_id: int, token: str) -> None:
    """Stop notices (not transactional mail) for the person the signed link names."""
    if not check_unsubscribe_token(secret_key, user_id, token):
        raise NotFound("This unsubscribe link is not valid.", code="unsubscribe_invalid")
    await repository.unsubscribe_notices(conn, user_id)
