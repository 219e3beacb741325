"""The audit log: every action an agent performs for a merchant, readable by the merchant and admins."""

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from marketplace.merchants.access import Actor, MerchantAccess, merchant_access

__all__ = ["AuditEntry", "record_action", "record_if_agent", "list_audit_log"]


class AuditEntry(msgspec.Struct, frozen=True):
    """Who (agent), for whom (merchant), what (action, details), when."""

    id: int
    agent_user_id: int | None
    agent_name: str
    merchant_id: int
    action: str
    details: dict[str, Any]
    at: datetime


INSERT_ENTRY = """
INSERT INTO agent_audit_log (agent_user_id, merchant_id, action, details) VALUES ($1, $2, $3, $4)
"""

LIST_ENTRIES = """
SELECT l.id, l.agent_user_id, coalesce(u.display_name, '') AS agent_name, l.merchant_id, l.action,
       l.details, l.at
FROM agent_audit_log l LEFT JOIN users u ON u.id = l.agent_user_id
WHERE l.merchant_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2
"""


async def record_action(
    conn: asyncpg.Connection,
    agent_user_id: int,
    merchant_id: int,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry; called inside the transaction of the action itself."""
    await conn.execute(INSERT_ENTRY, agent_user_id, merchant_id, action, details or {})


async def record_if_agent(
    conn: asyncpg.Connection, access: MerchantAccess, action: str, details: dict[str, Any] | None = None
) -> None:
    """Log the action when the actor reached the merchant as an assisting agent."""
    if access.is_agent and access.user_id is not None:
        await record_action(conn, access.user_id, access.merchant_id, action, details)


async def list_audit_log(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, limit: int = 200
) -> list[AuditEntry]:
    """The merchant's audit log, for its owner, its agents and admins."""
    await merchant_access(conn, actor, merchant_id)
    rows = await conn.fetch(LIST_ENTRIES, merchant_id, limit)
    return [msgspec.convert(dict(row), AuditEntry) for row in rows]
