"""Who may act for a merchant: its owner, an agent assisting it, or an admin; one rule, one place."""

from typing import Literal, Protocol

import asyncpg
import msgspec

from marketplace.platform.errors import Forbidden, NotFound, Unauthorized

__all__ = [
    "Actor",
    "SystemActor",
    "MerchantAccess",
    "require_user",
    "merchant_access",
    "assisted_merchant_ids",
]


class Actor(Protocol):
    """The signed-in principal, duck-typed as the app provides it."""

    user_id: int | None

    def has_role(self, role: str) -> bool:
        """True for the role, or for any role when admin."""


class SystemActor(msgspec.Struct, frozen=True):
    """An actor for scripts and the demo seed: a user id with fixed roles."""

    user_id: int | None
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        """True for the role, or for any role when admin."""
        return role in self.roles or "admin" in self.roles


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


ACCESS_QUERY = """
SELECT m.owner_user_id,
       EXISTS (SELECT 1 FROM merchant_agents a
               WHERE a.merchant_id = m.id AND a.agent_user_id = $2 AND a.ended_at IS NULL) AS assisted
FROM merchants m WHERE m.id = $1
"""


async def merchant_access(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> MerchantAccess:
    """Check that the actor may manage this merchant; 404 (not 403) for strangers so ids do not leak."""
    user_id = require_user(actor)
    row = await conn.fetchrow(ACCESS_QUERY, merchant_id, user_id)
    if row is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    if row["owner_user_id"] == user_id:
        return MerchantAccess(merchant_id, user_id, "owner")
    if row["assisted"] and actor is not None and actor.has_role("community_agent"):
        return MerchantAccess(merchant_id, user_id, "agent")
    if actor is not None and actor.has_role("admin"):
        return MerchantAccess(merchant_id, user_id, "admin")
    raise NotFound("No such merchant.", code="merchant_not_found")


async def assisted_merchant_ids(conn: asyncpg.Connection, agent_user_id: int) -> list[int]:
    """The merchants an agent currently assists."""
    rows = await conn.fetch(
        "SELECT merchant_id FROM merchant_agents WHERE agent_user_id = $1 AND ended_at IS NULL ORDER BY 1",
        agent_user_id,
    )
    return [row["merchant_id"] for row in rows]


def forbid(message: str, code: str = "forbidden") -> Forbidden:
    """A 403 with a reason."""
    return Forbidden(message, code=code)
