"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio
from typing import Any

import asyncpg
from litestar import Request, Response, Router, get

from marketplace.platform.database import ping
from marketplace.platform.middleware import QUIET_ACCESS_LOG_OPT
from marketplace.platform.runtime import Runtime, runtime_of
from search import repository as search_repository

__all__ = ["router", "OUTBOX_LAG_LIMIT_SECONDS"]

# An index this far behind still answers searches, but an operator should look: readiness says "lagging".
OUTBOX_LAG_LIMIT_SECONDS = 300.0
PROBE_TIMEOUT_SECONDS = 2.0


# Probes carry no forms: no CSRF cookie to sign and set on every probe. A successful probe is counted in the
# metrics, not written to the request log.
PROBE_OPT = {"exclude_from_csrf": True, QUIET_ACCESS_LOG_OPT: True}


@get("/healthz", include_in_schema=False, opt=PROBE_OPT)
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


async def _search_engine_state(runtime: Runtime) -> str:
    engine = runtime.search_engine
    if engine is None:
        return "unavailable"
    try:
        # A one-word suggestion is the cheapest question every engine answers.
        await asyncio.wait_for(engine.suggest("a", runtime.settings.default_locale, 1), PROBE_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - whatever the engine raises, it is not ready
        return "unreachable"
    return "ok"


@get("/readyz", include_in_schema=False, opt=PROBE_OPT)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The database answers (503 otherwise); the search engine and each outbox's lag are reported too.

    Only the database decides readiness: search falls back to nothing worse than stale results, and a
    server taken out of rotation for a slow index would not make the index faster.
    """
    runtime = runtime_of(request.app.state)
    pool = runtime.pool
    try:
        if pool is None:
            raise RuntimeError("no pool")
        await ping(pool, PROBE_TIMEOUT_SECONDS)
        async with pool.acquire(timeout=PROBE_TIMEOUT_SECONDS) as connection:
            lags = {"search_outbox": await search_repository.get_outbox_lag(connection)}
            for name, lag_of in runtime.outboxes.items():
                lags[f"{name}_outbox"] = await lag_of(connection)
    except (OSError, RuntimeError, asyncpg.PostgresError, TimeoutError):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    body: dict[str, Any] = {"status": "ok", "database": "ok", "search": await _search_engine_state(runtime)}
    for name, (pending, oldest) in lags.items():
        body[name] = {"pending": pending, "oldest_seconds": round(oldest, 1),
                      "state": "lagging" if oldest > OUTBOX_LAG_LIMIT_SECONDS else "ok"}
    return Response(body)


router = Router(path="/", route_handlers=[healthz, readyz])
