"""Anonymous writes, limited per client: a route declares `opt={"anonymous_write": "<kind>"}`.

Every anonymous write leaves a row (a trip, a cart, an account); without a limit one client could grow
the database without end. Packages below marketplace declare the kind by name, without importing this
module; the app-level guard counts the hit (in its own statement, so it counts even when the request
fails) and answers 429 with Retry-After past the limit. Signed-in callers are not limited here.
Reads are never limited: a search is a read, whatever it logs.
"""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from marketplace.platform.access import current_principal
from marketplace.platform.middleware import client_ip
from marketplace.platform.ratelimit import RateLimit, enforce
from marketplace.platform.runtime import runtime_of

__all__ = ["ANONYMOUS_WRITE", "ANONYMOUS_WRITE_LIMITS", "limit_anonymous_writes", "enforce_anonymous_write"]

ANONYMOUS_WRITE = "anonymous_write"
# Generous enough for a family behind one carrier address, small enough that one client cannot fill a table.
ANONYMOUS_WRITE_LIMITS: dict[str, RateLimit] = {
    "sign_up": RateLimit("anonymous.sign_up", hits=20, window_seconds=3600),
    "trip": RateLimit("anonymous.trip", hits=60, window_seconds=600),
    "cart": RateLimit("anonymous.cart", hits=30, window_seconds=600),
    # A tourist reports a few problems a day at most; a flood would bury the officials' inbox.
    "feedback": RateLimit("anonymous.feedback", hits=10, window_seconds=3600),
}

LIMITED_WHEN_SIGNED_IN = frozenset({"sign_up"})


async def enforce_anonymous_write(connection: ASGIConnection[Any, Any, Any, Any], kind: str) -> None:
    """Count one anonymous write of this kind for the client; 429 past its limit. No-op when signed in."""
    # A sign-up signs its client in, so the next sign-up from that client is limited all the same.
    if current_principal(connection) is not None and kind not in LIMITED_WHEN_SIGNED_IN:
        return
    pool = runtime_of(connection.app.state).require_pool()
    await enforce(pool, ANONYMOUS_WRITE_LIMITS[kind], client_ip(connection.scope))


async def limit_anonymous_writes(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app-level guard for routes that declare an anonymous write."""
    kind = handler.opt.get(ANONYMOUS_WRITE)
    if kind is not None:
        await enforce_anonymous_write(connection, kind)
