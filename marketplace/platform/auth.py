"""Who is asking: the principal from a bearer token or a session cookie, and role guards."""

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from marketplace.accounts import service as accounts
from marketplace.accounts.models import Principal
from marketplace.platform.errors import Forbidden, Unauthorized
from marketplace.platform.runtime import runtime_of

__all__ = ["SESSION_COOKIE", "load_principal", "role_guard", "Guards"]

SESSION_COOKIE = "sid"
_STATE_KEY = "principal"

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Coroutine[Any, Any, None]]


async def load_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The principal for this request, resolved once and kept in the connection state."""
    if _STATE_KEY in connection.state:
        return connection.state[_STATE_KEY]
    principal: Principal | None = None
    authorization = connection.headers.get("authorization", "")
    pool = runtime_of(connection.app.state).require_pool()
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthorized("Use an Authorization: Bearer <token> header.", code="invalid_token")
        async with pool.acquire() as db:
            principal = await accounts.principal_for_token(db, credentials.strip())
        if principal is None:
            # A bad token never falls back to the cookie: the client must learn its token is dead.
            raise Unauthorized("The API token is unknown or revoked.", code="invalid_token")
    else:
        session_token = connection.cookies.get(SESSION_COOKIE)
        if session_token:
            async with pool.acquire() as db:
                principal = await accounts.principal_for_session(db, session_token)
    connection.state[_STATE_KEY] = principal
    return principal


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
