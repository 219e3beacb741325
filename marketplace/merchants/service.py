"""Merchant rules: three-step self-service onboarding, approval by an admin or the commune's agent."""

import asyncpg

from i18n.text import clean_localized
from marketplace.merchants import repository as repo
from marketplace.merchants.models import (
    Merchant,
    MerchantDetails,
    MerchantLocation,
    MerchantReview,
    MerchantStart,
)
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_if_agent
from marketplace.platform.divisions import DIVISIONS_VERSION, check_commune
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from marketplace.platform.slugs import insert_with_slug
from search.outbox import enqueue

__all__ = [
    "start_onboarding",
    "save_location",
    "save_details",
    "review_merchant",
    "get_public_merchant",
    "get_merchant_for",
    "list_my_merchants",
    "list_approval_queue",
    "agent_commune",
    "merchant_document_ids",
    "grant_role",
    "set_logo",
]


async def grant_role(conn: asyncpg.Connection, user_id: int, role: str) -> None:
    """Add a role to a user once."""
    await conn.execute(
        "UPDATE users SET roles = array_append(roles, $2) WHERE id = $1 AND NOT ($2 = ANY (roles))",
        user_id,
        role,
    )


async def start_onboarding(conn: asyncpg.Connection, actor: Actor | None, data: MerchantStart) -> Merchant:
    """Form 1: create a pending merchant owned by the signed-in person."""
    user_id = require_user(actor)
    name = data.name.strip()

    async def insert(slug: str) -> int:
        return await repo.insert_merchant(
            conn,
            slug=slug,
            owner_user_id=user_id,
            kind=data.kind,
            name={data.name_locale: name},
            phone=data.phone.strip(),
        )

    merchant_id, _ = await insert_with_slug(conn, "merchants", name, "shop", insert)
    await grant_role(conn, user_id, "merchant")
    merchant = await repo.get_merchant(conn, merchant_id)
    assert merchant is not None
    return merchant


async def save_location(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, data: MerchantLocation
) -> Merchant:
    """Form 2: commune (vietnam-provinces code), address and map point."""
    access = await merchant_access(conn, actor, merchant_id)
    province_code = check_commune(data.commune_code)
    if (data.lat is None) != (data.lng is None):
        raise Unprocessable("Give both latitude and longitude, or neither.", code="incomplete_point")
    await repo.update_location(
        conn,
        merchant_id,
        province_code=province_code,
        commune_code=data.commune_code,
        divisions_version=DIVISIONS_VERSION,
        address=data.address.strip(),
        lat=data.lat,
        lng=data.lng,
    )
    await record_if_agent(conn, access, "merchant.location", {"commune_code": data.commune_code})
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    return await _get(conn, merchant_id)


async def save_details(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, data: MerchantDetails
) -> Merchant:
    """Form 3: story, pickup and delivery, OCOP certificate; completes onboarding (submitted for review)."""
    access = await merchant_access(conn, actor, merchant_id)
    try:
        story = clean_localized(data.story, max_length=5000)
    except ValueError as error:
        raise Unprocessable(str(error), code="text_too_long") from None
    if not data.offers_pickup and data.delivery_fee is None:
        raise Unprocessable("Offer pickup, delivery, or both.", code="no_delivery_method")
    await repo.update_details(
        conn,
        merchant_id,
        story=story,
        offers_pickup=data.offers_pickup,
        delivery_fee=data.delivery_fee,
        ocop=data.ocop,
    )
    await record_if_agent(conn, access, "merchant.details", {"ocop_stars": data.ocop.stars if data.ocop else None})
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    return await _get(conn, merchant_id)


async def set_logo(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, urls: dict[str, str]) -> Merchant:
    """Set the shop's logo (the URLs of an image stored by the media pipeline)."""
    access = await merchant_access(conn, actor, merchant_id)
    await conn.execute("UPDATE merchants SET logo = $2, updated_at = now() WHERE id = $1", merchant_id, urls)
    await record_if_agent(conn, access, "merchant.logo", {})
    await enqueue(conn, [f"merchant:{merchant_id}"])
    return await _get(conn, merchant_id)


async def agent_commune(conn: asyncpg.Connection, user_id: int) -> int | None:
    """The commune a community agent serves, if any."""
    return await conn.fetchval("SELECT commune_code FROM community_agents WHERE user_id = $1", user_id)


async def _may_review(conn: asyncpg.Connection, actor: Actor | None, merchant: Merchant) -> bool:
    if actor is None or actor.user_id is None:
        return False
    if actor.has_role("admin"):
        return True
    if not actor.has_role("community_agent") or merchant.commune_code is None:
        return False
    return await agent_commune(conn, actor.user_id) == merchant.commune_code


async def review_merchant(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, decision: MerchantReview
) -> Merchant:
    """Approve or reject a submitted merchant: admins anywhere, community agents in their own commune."""
    user_id = require_user(actor)
    merchant = await repo.get_merchant(conn, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    if not await _may_review(conn, actor, merchant):
        raise Forbidden(
            "Only an admin or this commune's community agent may review this merchant.",
            code="review_forbidden",
        )
    if merchant.onboarding_step < 4:
        raise Conflict("The merchant has not finished onboarding.", code="onboarding_incomplete")
    status = "approved" if decision.approve else "rejected"
    await repo.set_status(conn, merchant_id, status, user_id, decision.note.strip())
    # Approval makes the shop and its published products public at once (and rejection hides them).
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    return await _get(conn, merchant_id)


async def merchant_document_ids(conn: asyncpg.Connection, merchant_id: int) -> list[str]:
    """The search documents that show this merchant: itself and every product."""
    rows = await conn.fetch("SELECT id, kind FROM products WHERE merchant_id = $1", merchant_id)
    return [
        f"merchant:{merchant_id}",
        *(f"{row['kind'].replace('goods', 'product')}:{row['id']}" for row in rows),
    ]


async def get_public_merchant(conn: asyncpg.Connection, slug: str) -> Merchant:
    """An approved merchant by slug; anything else is not found (nothing of a pending merchant is public)."""
    merchant = await repo.get_merchant_by_slug(conn, slug)
    if merchant is None or merchant.status != "approved":
        raise NotFound("No such shop.", code="merchant_not_found")
    return merchant


async def get_merchant_for(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> Merchant:
    """The merchant for someone who manages it."""
    await merchant_access(conn, actor, merchant_id)
    return await _get(conn, merchant_id)


async def list_my_merchants(conn: asyncpg.Connection, actor: Actor | None) -> list[Merchant]:
    """The merchants the signed-in person owns."""
    return await repo.list_merchants(conn, owner_user_id=require_user(actor), limit=100)


async def list_approval_queue(conn: asyncpg.Connection, actor: Actor | None) -> list[Merchant]:
    """Submitted merchants waiting for review: all for admins, the agent's commune for agents."""
    user_id = require_user(actor)
    if actor is not None and actor.has_role("admin"):
        return await repo.list_merchants(conn, status="pending", submitted=True, limit=200)
    if actor is not None and actor.has_role("community_agent"):
        commune = await agent_commune(conn, user_id)
        if commune is None:
            return []
        return await repo.list_merchants(conn, status="pending", submitted=True, commune_code=commune, limit=200)
    raise Forbidden("Only admins and community agents review merchants.", code="review_forbidden")


async def _get(conn: asyncpg.Connection, merchant_id: int) -> Merchant:
    merchant = await repo.get_merchant(conn, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return merchant
