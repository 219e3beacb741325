"""Liveness and readiness probes for load balancers and orchestrators."""

from typing import Any

import asyncpg
from litestar import Request, Response, Router, get

from marketplace.platform.database import ping
from marketplace.platform.runtime import runtime_of

__all__ = ["router"]


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """The database answers."""
    pool = runtime_of(request.app.state).pool
    try:
        if pool is None:
            raise RuntimeError("no pool")
        await ping(pool)
    except (OSError, RuntimeError, asyncpg.PostgresError, TimeoutError):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


router = Router(path="/", route_handlers=[healthz, readyz])
