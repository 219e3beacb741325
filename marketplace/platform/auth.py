"""Who is asking: the principal from a bearer token or a session cookie, and role guards."""

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from marketplace.accounts import service as accounts
from marketplace.accounts.models import Principal
from marketplace.platform.errors import Forbidden, Unauthorized
from marketplace.platform.runtime import runtime_of

__all__ = ["SESSION_COOKIE", "ACQUIRE_TIMEOUT", "PrincipalMiddleware", "load_principal", "role_guard", "Guards"]

SESSION_COOKIE = "sid"
_STATE_KEY = "principal"
# Waiting longer than this for a pooled connection answers 503 instead of queueing forever.
ACQUIRE_TIMEOUT = 10.0

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Coroutine[Any, Any, None]]


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


async def load_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The principal for this request, resolved once and kept in the connection state."""
    if _STATE_KEY not in connection.state:
        connection.state[_STATE_KEY] = await resolve_principal(connection)
    return connection.state[_STATE_KEY]


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
            await load_principal(connection)
        await self.app(scope, receive, send)


def role_guard(*roles: str) -> Guard:
    """A guard that admits a principal holding any of `roles` (admins hold all); any principal if none given."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await load_principal(connection)
        if principal is None:
            raise Unauthorized("Sign in first.", code="not_signed_in")
        if roles and not any(principal.has_role(role) for role in roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)}.", code="missing_role",
                            details={"required": list(roles)})

    guard.__name__ = f"require_{'_or_'.join(roles) or 'authenticated'}"
    return guard


class Guards:
    """The guards handed to every package's handlers (packages below marketplace cannot import them)."""

    def __init__(self) -> None:
        self.authenticated = role_guard()
        self.customer = role_guard("customer")
        self.merchant = role_guard("merchant")
        self.community_agent = role_guard("community_agent")
        self.editor = role_guard("editor")
        self.admin = role_guard("admin")
