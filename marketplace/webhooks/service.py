"""Webhook rules: registering endpoints (admins only, by the routes), the delivery log, "send again", the feed."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import asyncpg
import msgspec

from marketplace.platform.errors import BadRequest, Conflict, NotFound, Unprocessable
from marketplace.webhooks import repository as repo
from marketplace.webhooks import signing
from marketplace.webhooks.models import (
    DELIVERY_STATES,
    Attempt,
    Change,
    ChangePage,
    Delivery,
    Endpoint,
    EndpointCreated,
    EndpointForm,
)
from search.changes import EVENT_TYPES, ChangeEvent, list_changes, sequence_changes

__all__ = [
    "MAX_PAGE_SIZE",
    "check_url",
    "create_endpoint",
    "list_endpoints",
    "get_endpoint",
    "set_active",
    "delete_endpoint",
    "deliveries",
    "resend",
    "fan_out",
    "changes_page",
    "message_id",
]

MAX_PAGE_SIZE = 500
DELIVERY_LOG_LIMIT = 50


def message_id(event_id: int) -> str:
    """The `webhook-id` of an event: the same on every try and every endpoint, so receivers can drop copies."""
    return f"msg_{event_id}"


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host; anything else (file:, gopher:, javascript:...) is refused.

    Admins choose the receivers, so private addresses are allowed (a portal on the province's network); the
    request itself is bounded in time and in what it reads (`delivery`).
    """
    url = url.strip()
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        raise Unprocessable("Enter an http or https address.", code="invalid_webhook_url", details={"field": "url"})
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unprocessable("Enter an http or https address.", code="invalid_webhook_url", details={"field": "url"})
    return url


def _check_event_types(event_types: list[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise Unprocessable("Choose at least one event.", code="no_event_types", details={"field": "event_types"})
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise Unprocessable("Unknown event.", code="unknown_event_type", details={"event_types": unknown})
    return chosen


def _endpoint(row: asyncpg.Record) -> Endpoint:
    return msgspec.convert(dict(row), Endpoint)


async def create_endpoint(conn: asyncpg.Connection, sealing_key: bytes, data: EndpointForm,
                          created_by: int | None) -> EndpointCreated:
    """Register an endpoint with a fresh secret, returned this once (only a sealed copy is stored)."""
    url = check_url(data.url)
    event_types = _check_event_types(data.event_types)
    secret = signing.new_secret()
    try:
        async with conn.transaction():
            row = await repo.insert_endpoint(conn, url, data.description.strip(), event_types,
                                             signing.seal(sealing_key, secret), signing.hint(secret), created_by)
    except asyncpg.UniqueViolationError:
        raise Conflict("An endpoint with this address exists already.", code="webhook_url_taken",
                       details={"field": "url"}) from None
    return EndpointCreated(endpoint=_endpoint(row), secret=secret)


async def list_endpoints(conn: asyncpg.Connection) -> list[Endpoint]:
    """Every endpoint with how many deliveries wait and how many were given up."""
    return [_endpoint(row) for row in await repo.list_endpoints(conn)]


async def get_endpoint(conn: asyncpg.Connection, endpoint_id: int) -> Endpoint:
    row = await repo.get_endpoint(conn, endpoint_id)
    if row is None:
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found")
    return _endpoint(row)


async def set_active(conn: asyncpg.Connection, endpoint_id: int, active: bool) -> None:
    """Pause or resume an endpoint: paused, it gets no new events and its waiting deliveries wait."""
    if not await repo.set_endpoint_active(conn, endpoint_id, active):
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found")


async def delete_endpoint(conn: asyncpg.Connection, endpoint_id: int) -> None:
    """Forget an endpoint, its deliveries and their log."""
    if not await repo.delete_endpoint(conn, endpoint_id):
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found")


async def deliveries(conn: asyncpg.Connection, endpoint_id: int, state: str | None = None) -> list[Delivery]:
    """The endpoint's newest deliveries, each with the log of its attempts."""
    state = state if state in DELIVERY_STATES else None
    rows = await repo.list_deliveries(conn, endpoint_id, state, DELIVERY_LOG_LIMIT)
    logs: dict[int, list[Attempt]] = {}
    for attempt in await repo.list_attempts(conn, [row["id"] for row in rows]):
        logs.setdefault(attempt["delivery_id"], []).append(
            Attempt(attempted_at=attempt["attempted_at"], response_status=attempt["response_status"],
                    response_excerpt=attempt["response_excerpt"]))
    return [msgspec.convert({**dict(row), "log": logs.get(row["id"], [])}, Delivery) for row in rows]


async def resend(conn: asyncpg.Connection, delivery_id: int, now: datetime | None = None) -> int:
    """Queue a delivered or given-up event again for its endpoint (behind what it still has to send); the
    endpoint's id."""
    row = await repo.resend_delivery(conn, delivery_id, now or datetime.now(UTC))
    if row is None:
        raise NotFound("No finished delivery with this number.", code="webhook_delivery_not_found")
    await repo.wake_workers(conn)
    return row["endpoint_id"]


async def fan_out(conn: asyncpg.Connection, now: datetime, limit: int = 200) -> list[ChangeEvent]:
    """Sequence new events and write their deliveries, in one transaction the caller holds: an event gets its
    position and its deliveries together or not at all, so none is lost or delivered twice."""
    events = await sequence_changes(conn, limit)
    if events:
        await repo.insert_deliveries(conn, [event.id for event in events], [event.type for event in events], now)
    return events


def _change(event: ChangeEvent) -> Change:
    return Change(id=message_id(event.id), position=event.position, type=event.type, timestamp=event.occurred_at,
                  data=event.data)


def parse_cursor(after: str | None) -> int:
    if not after:
        return 0
    if not after.isdigit() or len(after) > 18:
        raise BadRequest("The cursor is not one this feed gave.", code="invalid_cursor")
    return int(after)


async def changes_page(conn: asyncpg.Connection, after: str | None, limit: int) -> ChangePage:
    """Events after the cursor, in order, at most `limit` (bounded by MAX_PAGE_SIZE)."""
    position = parse_cursor(after)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    events = await list_changes(conn, position, limit + 1)
    page = events[:limit]
    next_cursor = str(page[-1].position if page else position)
    return ChangePage(items=[_change(event) for event in page], next_cursor=next_cursor,
                      has_more=len(events) > limit)
