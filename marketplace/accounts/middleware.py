"""Resolves who is asking (a bearer token or the session cookie) before any handler runs."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send

from marketplace.accounts import service as accounts
from marketplace.accounts.sessions import SESSION_COOKIE
from marketplace.platform.access import PRINCIPAL_STATE_KEY
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.errors import Unauthorized
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of

__all__ = ["PrincipalMiddleware", "bearer_token", "resolve_principal"]


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for other schemes."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


async def resolve_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """Look the principal up (one short query, on a connection released before the handler runs)."""
    token = bearer_token(connection.headers.get("authorization", ""))
    session_token = connection.cookies.get(SESSION_COOKIE)
    if token is None and not session_token:
        return None
    pool = runtime_of(connection.app.state).require_pool()
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as db:
        if token is not None:
            principal = await accounts.principal_for_token(db, token)
            if principal is None:
                # A bad token never falls back to the cookie: the client must learn its token is dead.
                raise Unauthorized("The API token is unknown or revoked.", code="invalid_token")
            return principal
        # Other Authorization schemes (say a proxy's Basic auth) are not ours: the cookie decides.
        return await accounts.principal_for_session(db, session_token)


class PrincipalMiddleware:
    """Resolves the principal before any handler dependency holds a pooled connection.

    Resolving it later, from inside a handler that already holds the request's connection, would take a
    second connection per request; enough concurrent requests would then wait on each other forever.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            if PRINCIPAL_STATE_KEY not in connection.state:
                connection.state[PRINCIPAL_STATE_KEY] = await resolve_principal(connection)
        await self.app(scope, receive, send)
