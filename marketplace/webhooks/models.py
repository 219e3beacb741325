"""Webhook endpoints, deliveries and the changes feed, as read and written."""

from datetime import datetime
from typing import Annotated, Any

import msgspec

__all__ = ["Endpoint", "EndpointCreated", "EndpointForm", "ActiveForm", "Attempt", "Delivery", "Change", "ChangePage",
           "DELIVERY_STATES"]

DELIVERY_STATES: tuple[str, ...] = ("pending", "sending", "delivered", "failed")


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A receiver: its URL, the events it wants, whether it is on. Never its secret (shown once at creation)."""

    id: int
    url: str
    description: str
    event_types: list[str]
    secret_hint: str
    is_active: bool
    created_at: datetime
    pending: int = 0
    failed: int = 0


class EndpointCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A new endpoint with its signing secret, the only time the secret leaves the server."""

    endpoint: Endpoint
    secret: str


class EndpointForm(msgspec.Struct, frozen=True, kw_only=True):
    """The admin's form for a new endpoint (the service checks the URL and the events)."""

    url: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    description: Annotated[str, msgspec.Meta(max_length=200)] = ""
    event_types: Annotated[list[str], msgspec.Meta(max_length=40)] = msgspec.field(default_factory=list)


class ActiveForm(msgspec.Struct, frozen=True, kw_only=True):
    """Pause or resume an endpoint (a check box)."""

    active: bool = False


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """One try at a delivery: the receiver's status, or the error, and the start of its answer."""

    attempted_at: datetime
    response_status: int | None
    response_excerpt: str


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """One event on its way to one endpoint."""

    id: int
    endpoint_id: int
    event_id: int
    event_type: str
    position: int | None
    state: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_status: int | None
    last_error: str | None
    finished_at: datetime | None
    resend_of: int | None
    log: list[Attempt] = msgspec.field(default_factory=list)


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """An event as the feed and webhooks describe it (`id` is the `webhook-id` its deliveries carry)."""

    id: str
    position: int
    type: str
    timestamp: datetime
    data: dict[str, Any]


class ChangePage(msgspec.Struct, frozen=True, kw_only=True):
    """Events in order; ask again with `after=next_cursor` (the same cursor when nothing new has happened)."""

    items: list[Change]
    next_cursor: str
    has_more: bool
