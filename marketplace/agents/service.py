"""Assisted onboarding: an agent registers a producer with recorded consent; the producer takes over later."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from marketplace.agents.models import AssistedMerchantCreate, Consent, TakeoverCode
from marketplace.merchants import repository as merchant_repo
from marketplace.merchants.models import Merchant
from marketplace.merchants.service import grant_role, merchant_document_ids
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_action
from marketplace.platform.divisions import DIVISIONS_VERSION, check_commune
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from marketplace.platform.slugs import insert_with_slug
from search.outbox import enqueue

__all__ = [
    "register_assisted_merchant",
    "list_assisted_merchants",
    "get_consent",
    "create_takeover_code",
    "redeem_takeover_code",
    "assign_agent_commune",
    "TAKEOVER_CODE_LIFETIME",
]

TAKEOVER_CODE_LIFETIME = timedelta(days=14)
# No 0/O or 1/I/L: the code is read aloud and typed on a phone.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _require_agent(actor: Actor | None) -> int:
    user_id = require_user(actor)
    if actor is None or not actor.has_role("community_agent"):
        raise Forbidden("Only community agents register producers.", code="agent_only")
    return user_id


async def assign_agent_commune(conn: asyncpg.Connection, user_id: int, commune_code: int) -> None:
    """Make a user the community agent of a commune (an admin action)."""
    check_commune(commune_code)
    await conn.execute(
        """INSERT INTO community_agents (user_id, commune_code) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET commune_code = EXCLUDED.commune_code""",
        user_id,
        commune_code,
    )
    await grant_role(conn, user_id, "community_agent")


async def register_assisted_merchant(
    conn: asyncpg.Connection, actor: Actor | None, data: AssistedMerchantCreate
) -> Merchant:
    """Create the producer's merchant (pending, no owner yet), the consent record and the first audit entry."""
    agent_id = _require_agent(actor)
    province_code = check_commune(data.commune_code)
    if data.consent_at.tzinfo is None:
        raise Unprocessable("The consent time needs a time zone.", code="naive_datetime")
    if data.consent_at > datetime.now(UTC) + timedelta(minutes=5):
        raise Unprocessable("Consent cannot be recorded in the future.", code="consent_in_future")
    if not data.offers_pickup and data.delivery_fee is None:
        raise Unprocessable("Offer pickup, delivery, or both.", code="no_delivery_method")

    async def insert(slug: str) -> int:
        return await merchant_repo.insert_merchant(
            conn,
            slug=slug,
            owner_user_id=None,
            kind=data.kind,
            name={"vi": data.shop_name.strip()},
            phone=data.producer_phone.strip(),
        )

    merchant_id, _ = await insert_with_slug(conn, "merchants", data.shop_name, "shop", insert)
    await merchant_repo.update_location(
        conn,
        merchant_id,
        province_code=province_code,
        commune_code=data.commune_code,
        divisions_version=DIVISIONS_VERSION,
        address=data.address.strip(),
        lat=None,
        lng=None,
    )
    await merchant_repo.update_details(
        conn, merchant_id, story={}, offers_pickup=data.offers_pickup, delivery_fee=data.delivery_fee, ocop=None
    )
    await conn.execute(
        """INSERT INTO merchant_agents (merchant_id, agent_user_id, producer_name, producer_phone, consent_given_by,
                                        consent_method, consent_at, consent_note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        merchant_id,
        agent_id,
        data.producer_name.strip(),
        data.producer_phone.strip(),
        data.consent_given_by.strip(),
        data.consent_method,
        data.consent_at,
        data.consent_note.strip(),
    )
    await record_action(
        conn,
        agent_id,
        merchant_id,
        "merchant.register",
        {
            "producer_name": data.producer_name.strip(),
            "producer_phone": data.producer_phone.strip(),
            "consent_given_by": data.consent_given_by.strip(),
            "consent_method": data.consent_method,
            "consent_at": data.consent_at.isoformat(),
        },
    )
    merchant = await merchant_repo.get_merchant(conn, merchant_id)
    assert merchant is not None
    return merchant


async def list_assisted_merchants(conn: asyncpg.Connection, actor: Actor | None) -> list[Merchant]:
    """The merchants this agent assists, and no others."""
    agent_id = _require_agent(actor)
    return await merchant_repo.list_merchants(conn, agent_user_id=agent_id, limit=500)


async def get_consent(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> list[Consent]:
    """The consent records of a merchant, for its owner, its agents and admins."""
    await merchant_access(conn, actor, merchant_id)
    rows = await conn.fetch(
        """SELECT merchant_id, agent_user_id, producer_name, producer_phone, consent_given_by, consent_method,
                  consent_at, consent_note, ended_at
           FROM merchant_agents WHERE merchant_id = $1 ORDER BY created_at""",
        merchant_id,
    )
    return [msgspec.convert(dict(row), Consent) for row in rows]


def _hash_code(code: str) -> bytes:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).digest()


async def create_takeover_code(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> TakeoverCode:
    """A new one-time code for the producer (earlier unused codes stop working); shown once."""
    access = await merchant_access(conn, actor, merchant_id)
    if access.via == "owner":
        raise Conflict("This account already belongs to you.", code="already_owner")
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    expires_at = datetime.now(UTC) + TAKEOVER_CODE_LIFETIME
    await conn.execute(
        "UPDATE merchant_takeover_codes SET expires_at = now() WHERE merchant_id = $1 AND used_at IS NULL",
        merchant_id,
    )
    await conn.execute(
        """INSERT INTO merchant_takeover_codes (merchant_id, code_hash, created_by, expires_at)
           VALUES ($1, $2, $3, $4)""",
        merchant_id,
        _hash_code(raw),
        access.user_id,
        expires_at,
    )
    if access.is_agent and access.user_id is not None:
        await record_action(conn, access.user_id, merchant_id, "merchant.takeover_code", {})
    return TakeoverCode(merchant_id=merchant_id, code=f"{raw[:5]}-{raw[5:]}", expires_at=expires_at)


async def redeem_takeover_code(conn: asyncpg.Connection, actor: Actor | None, code: str) -> Merchant:
    """The signed-in producer becomes the owner; agents' assistance ends; the log records it."""
    user_id = require_user(actor)
    # FOR UPDATE: two redemptions of one code at once must not both succeed.
    row = await conn.fetchrow(
        """SELECT id, merchant_id FROM merchant_takeover_codes
           WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE""",
        _hash_code(code),
    )
    if row is None:
        raise NotFound("This code is not valid or has expired.", code="takeover_code_invalid")
    merchant_id: int = row["merchant_id"]
    owner = await conn.fetchval("SELECT owner_user_id FROM merchants WHERE id = $1", merchant_id)
    if owner is not None:
        raise Conflict("This shop already has an owner.", code="already_owned")
    await conn.execute(
        "UPDATE merchant_takeover_codes SET used_at = now(), used_by = $2 WHERE id = $1", row["id"], user_id
    )
    await conn.execute(
        "UPDATE merchants SET owner_user_id = $2, updated_at = now() WHERE id = $1", merchant_id, user_id
    )
    agents = await conn.fetch(
        "UPDATE merchant_agents SET ended_at = now() WHERE merchant_id = $1 AND ended_at IS NULL "
        "RETURNING agent_user_id",
        merchant_id,
    )
    for agent in agents:
        await record_action(
            conn, agent["agent_user_id"], merchant_id, "merchant.taken_over", {"owner_user_id": user_id}
        )
    await grant_role(conn, user_id, "merchant")
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    merchant = await merchant_repo.get_merchant(conn, merchant_id)
    assert merchant is not None
    return merchant
