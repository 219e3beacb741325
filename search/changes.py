"""The change log: domain events recorded in the transaction of the change, read in one order by everyone.

Call `record_event(connection, "attraction.updated", {"id": 12, "slug": "..."})` inside the transaction that
makes the change: the event exists exactly when the change does. Outgoing webhooks (`marketplace.webhooks`) and
the `/api/v1/changes` feed read it.

Order. Identity values are handed out at insert time but transactions commit in any order, so "every id above
my cursor" would skip an event whose transaction committed late. Instead, `sequence_changes` gives committed
events a `position`, one sequencer at a time (an advisory lock), always above every position given before; a
reader's cursor is a position and never passes over an event. Two changes of the same listing take its row lock
in turn, so their events are inserted, and sequenced, in the order they happened.

Payloads are thin (ids, slugs, status): a receiver fetches the listing itself, so no text of a draft or of a
person leaves through this log.
"""

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from search import changes_repository as repository

__all__ = [
    "CHANGES_CHANNEL",
    "EVENT_TYPES",
    "LISTING_KINDS",
    "MAX_DATA_BYTES",
    "ChangeEvent",
    "record_event",
    "sequence_changes",
    "list_changes",
    "last_position",
    "sequencing_lag",
]

# NOTIFY channel: readers LISTEN on it to hear of new events as soon as their transaction commits.
CHANGES_CHANNEL = repository.NOTIFY_CHANNEL
LISTING_KINDS: tuple[str, ...] = ("product", "experience", "attraction", "event")
EVENT_TYPES: tuple[str, ...] = (
    *(f"{kind}.{action}" for kind in LISTING_KINDS for action in ("created", "updated", "deleted")),
    "feedback.created",
    "feedback.resolved",
    "merchant.approved",
)
# An event names things; it does not carry them (see the module's note on payloads).
MAX_DATA_BYTES = 16_384

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class ChangeEvent(msgspec.Struct, frozen=True):
    """A sequenced event: `position` orders it among all others (the feed's cursor)."""

    id: int
    position: int
    type: str
    data: dict[str, Any]
    occurred_at: datetime


async def record_event(connection: asyncpg.Connection, event_type: str, data: Any) -> int:
    """Record an event in the caller's transaction; its id. `event_type` is one of EVENT_TYPES.

    `data` is anything msgspec can encode to a JSON object (a dict or a Struct) of at most MAX_DATA_BYTES.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    encoded = _encoder.encode(data)
    if not encoded.startswith(b"{"):
        raise ValueError("event data must be a JSON object")
    if len(encoded) > MAX_DATA_BYTES:
        raise ValueError(f"event data over {MAX_DATA_BYTES} bytes")
    return await repository.insert_change_event(connection, event_type, encoded.decode())


def _event(row: asyncpg.Record) -> ChangeEvent:
    return ChangeEvent(id=row["id"], position=row["position"], type=row["event_type"],
                       data=_decoder.decode(row["data"]), occurred_at=row["occurred_at"])


async def sequence_changes(connection: asyncpg.Connection, limit: int = 200) -> list[ChangeEvent]:
    """Give positions to committed events that have none, in the caller's transaction; them, in order.

    An empty list when another process is sequencing at this moment (it will take these events). The caller
    does in the same transaction whatever must happen exactly once per event (a webhook delivery per endpoint).
    """
    if not connection.is_in_transaction():
        # The sequencer's lock lasts as long as the transaction: outside one it would be gone at once.
        raise RuntimeError("sequence_changes needs a transaction")
    if not await repository.try_lock_sequencer(connection):
        return []
    return [_event(row) for row in await repository.sequence_pending(connection, limit)]


async def list_changes(connection: asyncpg.Connection, after: int, limit: int) -> list[ChangeEvent]:
    """Sequenced events with a position above `after`, in order, at most `limit`."""
    return [_event(row) for row in await repository.list_after(connection, after, limit)]


async def last_position(connection: asyncpg.Connection) -> int:
    """The position of the newest sequenced event (0 when none)."""
    return await repository.get_last_position(connection)


async def sequencing_lag(connection: asyncpg.Connection) -> tuple[int, float]:
    """Events waiting for a position (the feed does not show them yet), and how long the oldest has waited."""
    return await repository.get_unsequenced_lag(connection)
