"""SQL for community agents: the commune each serves, the producers they assist with consent, takeover codes."""

from datetime import datetime

import asyncpg
import msgspec

from marketplace.agents.models import Consent

__all__ = [
    "upsert_agent_commune",
    "insert_assistance",
    "list_consents",
    "expire_unused_codes",
    "insert_takeover_code",
    "get_usable_code_for_update",
    "mark_code_used",
    "end_assistance",
]

UPSERT_AGENT_COMMUNE = """
INSERT INTO community_agents (user_id, commune_code) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET commune_code = EXCLUDED.commune_code
"""
INSERT_ASSISTANCE = """
INSERT INTO merchant_agents (merchant_id, agent_user_id, producer_name, producer_phone, consent_given_by,
                             consent_method, consent_at, consent_note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
LIST_CONSENTS = """
SELECT merchant_id, agent_user_id, producer_name, producer_phone, consent_given_by, consent_method, consent_at,
       consent_note, ended_at
FROM merchant_agents WHERE merchant_id = $1 ORDER BY created_at
"""
EXPIRE_UNUSED_CODES = "UPDATE merchant_takeover_codes SET expires_at = now() WHERE merchant_id = $1 AND used_at IS NULL"
INSERT_TAKEOVER_CODE = """
INSERT INTO merchant_takeover_codes (merchant_id, code_hash, created_by, expires_at) VALUES ($1, $2, $3, $4)
"""
SELECT_USABLE_CODE_FOR_UPDATE = """
SELECT id, merchant_id, created_by FROM merchant_takeover_codes
WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE
"""
MARK_CODE_USED = "UPDATE merchant_takeover_codes SET used_at = now(), used_by = $2 WHERE id = $1"
END_ASSISTANCE = """
UPDATE merchant_agents SET ended_at = now() WHERE merchant_id = $1 AND ended_at IS NULL RETURNING agent_user_id
"""


async def upsert_agent_commune(conn: asyncpg.Connection, user_id: int, commune_code: int) -> None:
    """Make the user the agent of this commune (one commune per agent)."""
    await conn.execute(UPSERT_AGENT_COMMUNE, user_id, commune_code)


async def insert_assistance(conn: asyncpg.Connection, merchant_id: int, agent_user_id: int, *, producer_name: str,
                            producer_phone: str, consent_given_by: str, consent_method: str, consent_at: datetime,
                            consent_note: str) -> None:
    """The agent assists the merchant from now on, with the producer's recorded consent."""
    await conn.execute(INSERT_ASSISTANCE, merchant_id, agent_user_id, producer_name, producer_phone,
                       consent_given_by, consent_method, consent_at, consent_note)


async def list_consents(conn: asyncpg.Connection, merchant_id: int) -> list[Consent]:
    """Every consent recorded for the merchant, oldest first."""
    return [msgspec.convert(dict(row), Consent) for row in await conn.fetch(LIST_CONSENTS, merchant_id)]


async def expire_unused_codes(conn: asyncpg.Connection, merchant_id: int) -> None:
    """End every unused takeover code of the merchant now."""
    await conn.execute(EXPIRE_UNUSED_CODES, merchant_id)


async def insert_takeover_code(conn: asyncpg.Connection, merchant_id: int, code_hash: bytes, created_by: int | None,
                               expires_at: datetime) -> None:
    """Store a new code's hash (the code itself is never stored)."""
    await conn.execute(INSERT_TAKEOVER_CODE, merchant_id, code_hash, created_by, expires_at)


async def get_usable_code_for_update(conn: asyncpg.Connection, code_hash: bytes) -> asyncpg.Record | None:
    """The unused, unexpired code with this hash (id, merchant_id, created_by), locked until the transaction ends."""
    return await conn.fetchrow(SELECT_USABLE_CODE_FOR_UPDATE, code_hash)


async def mark_code_used(conn: asyncpg.Connection, code_id: int, user_id: int) -> None:
    """The code is spent, by this user."""
    await conn.execute(MARK_CODE_USED, code_id, user_id)


async def end_assistance(conn: asyncpg.Connection, merchant_id: int) -> list[int]:
    """End every agent's assistance of the merchant; returns those agents' user ids."""
    return [row["agent_user_id"] for row in await conn.fetch(END_ASSISTANCE, merchant_id)]
