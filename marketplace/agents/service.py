"""Assisted onboarding: an agent registers a producer with recorded consent; the producer takes over later."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.accounts.life.service import open_phone_account
from marketplace.accounts.service import grant_role
from marketplace.agents import repository as repo
from marketplace.agents.models import AssistedMerchantCreate, Consent, TakeoverCode
from marketplace.merchants import repository as merchant_repo
from marketplace.merchants import service as merchants
from marketplace.merchants.models import Merchant
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_action
from marketplace.platform.divisions import DIVISIONS_VERSION, check_commune
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable

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
    await repo.upsert_agent_commune(conn, user_id, commune_code)
    await grant_role(conn, user_id, "community_agent")


def _check_assisted(data: AssistedMerchantCreate) -> int:
    """The commune's province; refuses a consent without a time zone or in the future, and no way to deliver."""
    province_code = check_commune(data.commune_code)
    if data.consent_at.tzinfo is None:
        raise Unprocessable("The consent time needs a time zone.", code="naive_datetime")
    if data.consent_at > datetime.now(UTC) + timedelta(minutes=5):
        raise Unprocessable("Consent cannot be recorded in the future.", code="consent_in_future")
    if not data.offers_pickup and data.delivery_fee is None:
        raise Unprocessable("Offer pickup, delivery, or both.", code="no_delivery_method")
    return province_code


async def _create_submitted_shop(conn: asyncpg.Connection, data: AssistedMerchantCreate, province_code: int) -> int:
    """The producer's merchant with no owner yet, all three onboarding steps done: it waits for approval."""
    merchant_id = await merchants.create_pending_merchant(conn, owner_user_id=None, kind=data.kind,
                                                          name=data.shop_name, name_locale="vi",
                                                          phone=data.producer_phone)
    await merchant_repo.update_location(conn, merchant_id, province_code=province_code,
                                        commune_code=data.commune_code, divisions_version=DIVISIONS_VERSION,
                                        address=data.address.strip(), lat=None, lng=None)
    await merchant_repo.update_details(conn, merchant_id, story={}, offers_pickup=data.offers_pickup,
                                       delivery_fee=data.delivery_fee, ocop=None)
    return merchant_id


async def register_assisted_merchant(
    conn: asyncpg.Connection, actor: Actor | None, data: AssistedMerchantCreate
) -> Merchant:
    """Create the producer's merchant (pending, no owner yet), the consent record and the first audit entry."""
    agent_id = _require_agent(actor)
    merchant_id = await _create_submitted_shop(conn, data, _check_assisted(data))
    consent = {
        "producer_name": data.producer_name.strip(),
        "producer_phone": data.producer_phone.strip(),
        "consent_given_by": data.consent_given_by.strip(),
        "consent_method": data.consent_method,
    }
    await repo.insert_assistance(conn, merchant_id, agent_id, **consent, consent_at=data.consent_at,
                                 consent_note=data.consent_note.strip())
    await record_action(conn, agent_id, merchant_id, "merchant.register",
                        {**consent, "consent_at": data.consent_at.isoformat()})
    merchant = await merchants.get_merchant(conn, merchant_id)
    await merchants.tell_admins_waiting(conn, merchant)
    # The producer gets an account from the phone number alone, and signs in to it with a code sent there.
    await open_phone_account(conn, data.producer_phone, data.producer_name)
    return merchant


async def list_assisted_merchants(conn: asyncpg.Connection, actor: Actor | None) -> list[Merchant]:
    """The merchants this agent assists, and no others."""
    agent_id = _require_agent(actor)
    return await merchant_repo.list_merchants(conn, agent_user_id=agent_id, limit=500)


async def get_consent(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> list[Consent]:
    """The consent records of a merchant, for its owner, its agents and admins."""
    await merchant_access(conn, actor, merchant_id)
    return await repo.list_consents(conn, merchant_id)


def _hash_code(code: str) -> bytes:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).digest()


async def create_takeover_code(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> TakeoverCode:
    """A new one-time code for the producer (earlier unused codes stop working); shown once."""
    access = await merchant_access(conn, actor, merchant_id)
    if access.via == "owner":
        raise Conflict("This account already belongs to you.", code="already_owner")
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    expires_at = datetime.now(UTC) + TAKEOVER_CODE_LIFETIME
    await repo.expire_unused_codes(conn, merchant_id)
    await repo.insert_takeover_code(conn, merchant_id, _hash_code(raw), access.user_id, expires_at)
    if access.is_agent and access.user_id is not None:
        await record_action(conn, access.user_id, merchant_id, "merchant.takeover_code", {})
    return TakeoverCode(merchant_id=merchant_id, code=f"{raw[:5]}-{raw[5:]}", expires_at=expires_at)


async def redeem_takeover_code(conn: asyncpg.Connection, actor: Actor | None, code: str) -> Merchant:
    """The signed-in producer becomes the owner; agents' assistance ends; the log records it."""
    user_id = require_user(actor)
    if actor is not None and actor.has_role("community_agent"):
        # The code hands a producer's account (and where its money goes) to the producer; an agent account
        # redeeming one, even another agent's code, is the takeover this step exists to prevent.
        raise Forbidden("A community agent's account cannot take over a producer; the producer signs in with "
                        "their own account.", code="agent_cannot_redeem")
    # Locked: two redemptions of one code at once must not both succeed.
    row = await repo.get_usable_code_for_update(conn, _hash_code(code))
    if row is None:
        raise NotFound("This code is not valid or has expired.", code="takeover_code_invalid")
    merchant_id: int = row["merchant_id"]
    if row["created_by"] == user_id or await merchant_repo.ever_assisted_by(conn, merchant_id, user_id):
        raise Forbidden("Whoever issued this code or assisted this producer cannot redeem it.",
                        code="agent_cannot_redeem")
    await merchants.assign_owner(conn, merchant_id, user_id)
    await repo.mark_code_used(conn, row["id"], user_id)
    for agent_id in await repo.end_assistance(conn, merchant_id):
        await record_action(conn, agent_id, merchant_id, "merchant.taken_over", {"owner_user_id": user_id})
    # Read again: the merchant is no longer assisted now.
    return await merchants.get_merchant(conn, merchant_id)
