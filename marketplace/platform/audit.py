"""The audit log: every action an agent performs for a merchant, readable by the merchant and admins."""

from typing import Any

import asyncpg

from marketplace.platform import repository
from marketplace.platform.access import MerchantAccess, merchant_access
from marketplace.platform.principal import Actor
from marketplace.platform.repository import AuditEntry

__all__ = ["AuditEntry", "record_action", "record_if_agent", "list_audit_log"]


async def record_action(
    conn: asyncpg.Connection,
    agent_user_id: int,
    merchant_id: int,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry; called inside the transaction of the action itself."""
    await repository.insert_audit_entry(conn, agent_user_id, merchant_id, action, details or {})


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
    return await repository.list_audit_entries(conn, merchant_id, limit)
