"""The one guard of the app's router: route access, anonymous write limits and CPU-queue refusals in turn.

One guard rather than three because Litestar passes each guard its own `copy()` of the route handler: three
copies of a handler object and the guard calls were a quarter of `/healthz`'s CPU (cProfile, 3,000 in-process
requests).
"""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from marketplace.platform.access import check_route_access
from marketplace.platform.cpu import refuse_when_busy
from marketplace.platform.write_limits import limit_anonymous_writes

__all__ = ["guard_every_route"]


async def guard_every_route(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Who may call the route, then how many anonymous writes a client may make, then whether CPU work fits."""
    await check_route_access(connection, handler)
    await limit_anonymous_writes(connection, handler)
    await refuse_when_busy(connection, handler)
