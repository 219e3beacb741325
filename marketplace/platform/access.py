"""Who may call a route (declared on the route, checked by one guard) and who may act for a merchant.

A route declares its audience in `opt`; packages below marketplace declare it the same way without importing
anything from here:

- nothing: anyone, signed in or not;
- `opt={"signed_in": True}`: any signed-in principal;
- `opt={"roles": ("merchant", "community_agent")}`: a principal holding one of the roles (admins hold all).

`check_route_access` is registered once, on the app's router, and reads that declaration. Object-level rules
(this merchant, this order) stay in the services: `merchant_access` below is the one for merchants.
"""

from typing import Any, Literal

import asyncpg
import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from marketplace.platform import repository
from marketplace.platform.errors import Forbidden, NotFound, Unauthorized
from marketplace.platform.principal import Actor, Principal, SystemActor

__all__ = [
    "ROLES",
    "SIGNED_IN",
    "PRINCIPAL_STATE_KEY",
    "current_principal",
    "check_route_access",
    "route_audience",
    "Actor",
    "SystemActor",
    "MerchantAccess",
    "require_user",
    "merchant_access",
]

ROLES = "roles"
SIGNED_IN = "signed_in"
# Where the accounts middleware leaves the principal it resolved for this request.
PRINCIPAL_STATE_KEY = "principal"


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The principal the accounts middleware resolved for this request; None when anonymous."""
    return connection.state.get(PRINCIPAL_STATE_KEY)


def route_audience(handler: BaseRouteHandler) -> tuple[str, ...] | None:
    """The roles a route needs; () for any signed-in principal; None for a public route."""
    roles = handler.opt.get(ROLES)
    if roles:
        return tuple(roles)
    return () if handler.opt.get(SIGNED_IN) else None


async def check_route_access(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app-level guard: 401 without a principal, 403 without one of the declared roles.

    A coroutine although it never waits: Litestar runs a plain function guard in a worker thread, which
    cost public GETs a thread hop each (13% of `/healthz`'s CPU under py-spy).
    """
    roles = route_audience(handler)
    if roles is None or _is_automatic_options(handler):
        return
    principal = current_principal(connection)
    if principal is None:
        raise Unauthorized("Sign in first.", code="not_signed_in")
    if roles and not any(principal.has_role(role) for role in roles):
        raise Forbidden(f"This needs the role {' or '.join(roles)}.", code="missing_role",
                        details={"required": list(roles)})


def _is_automatic_options(handler: BaseRouteHandler) -> bool:
    """Litestar's own OPTIONS answer (the allowed methods) inherits a controller's opt; it stays public."""
    function = getattr(handler.fn, "__qualname__", "")
    return getattr(handler, "http_methods", None) == {"OPTIONS"} and "create_options_handler" in function


class MerchantAccess(msgspec.Struct, frozen=True):
    """How an actor reaches a merchant; `via` says whether its actions are audited as an agent's."""

    merchant_id: int
    user_id: int | None
    via: Literal["owner", "agent", "admin"]

    @property
    def is_agent(self) -> bool:
        """True when the actor acts as an assisting agent (its actions are audited)."""
        return self.via == "agent"


def require_user(actor: Actor | None) -> int:
    """The actor's user id, or 401 when nobody is signed in."""
    if actor is None or actor.user_id is None:
        raise Unauthorized("Sign in first.", code="sign_in_required")
    return actor.user_id


async def merchant_access(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> MerchantAccess:
    """Check that the actor may manage this merchant; 404 (not 403) for strangers so ids do not leak."""
    user_id = require_user(actor)
    row = await repository.get_merchant_access_row(conn, merchant_id, user_id)
    if row is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    if row["owner_user_id"] == user_id:
        return MerchantAccess(merchant_id, user_id, "owner")
    if row["assisted"] and actor is not None and actor.has_role("community_agent"):
        return MerchantAccess(merchant_id, user_id, "agent")
    if actor is not None and actor.has_role("admin"):
        return MerchantAccess(merchant_id, user_id, "admin")
    raise NotFound("No such merchant.", code="merchant_not_found")
