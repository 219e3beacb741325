"""Merchant rules: three-step self-service onboarding, approval by an admin or the commune's agent."""

from typing import Any

import asyncpg

from i18n.text import InvisibleCharacters, clean_display_name, clean_display_names, clean_localized
from marketplace.accounts.service import grant_role
from marketplace.media import ImagePipeline, require_file
from marketplace.media.quota import enforce_upload_quota
from marketplace.merchants import repository as repo
from marketplace.merchants.models import (
    Merchant,
    MerchantDetails,
    MerchantLocation,
    MerchantReview,
    MerchantStart,
    MerchantTexts,
)
from marketplace.notifications.outbox import enqueue_admins, enqueue_merchant
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_if_agent
from marketplace.platform.divisions import DIVISIONS_VERSION, check_commune
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from marketplace.platform.listings import merchant_document_id, product_document_id
from marketplace.platform.slugs import insert_with_slug
from search.changes import record_event
from search.outbox import enqueue

__all__ = [
    "save_texts",
    "start_onboarding",
    "create_pending_merchant",
    "assign_owner",
    "save_location",
    "save_details",
    "review_merchant",
    "get_public_merchant",
    "get_merchant_for",
    "get_merchant",
    "list_my_merchants",
    "list_approval_queue",
    "agent_commune",
    "merchant_document_ids",
    "store_logo",
]


async def create_pending_merchant(
    conn: asyncpg.Connection, *, owner_user_id: int | None, kind: str, name: str, name_locale: str, phone: str
) -> int:
    """A pending merchant at onboarding step 2 with a slug made from its name; returns its id."""

    try:
        name = clean_display_name(name)
    except InvisibleCharacters as error:
        raise Unprocessable(str(error), code="invalid_characters", details={"field": "name"}) from None

    async def insert(slug: str) -> int:
        return await repo.insert_merchant(conn, slug=slug, owner_user_id=owner_user_id, kind=kind,
                                          name={name_locale: name}, phone=phone.strip())

    merchant_id, _ = await insert_with_slug(conn, "merchants", name, "shop", insert)
    return merchant_id


# Each pending shop waits for an admin's review; more than a few per person only fills the queue.
MAX_PENDING_MERCHANTS = 3


async def start_onboarding(conn: asyncpg.Connection, actor: Actor | None, data: MerchantStart) -> Merchant:
    """Form 1: create a pending merchant owned by the signed-in person (at most 3 pending at a time)."""
    user_id = require_user(actor)
    await repo.lock_owner_onboarding(conn, user_id)  # two forms sent at once cannot both pass the count
    if await repo.count_pending_owned(conn, user_id) >= MAX_PENDING_MERCHANTS:
        # One literal (not an f-string) so the message is extracted whole and shown translated.
        raise Conflict("You already have 3 shops waiting for approval; finish or wait for those first.",
                       code="too_many_pending_merchants",
                       details={"max_pending": MAX_PENDING_MERCHANTS})
    merchant_id = await create_pending_merchant(conn, owner_user_id=user_id, kind=data.kind, name=data.name,
                                                name_locale=data.name_locale, phone=data.phone)
    await grant_role(conn, user_id, "merchant")
    return await get_merchant(conn, merchant_id)


async def assign_owner(conn: asyncpg.Connection, merchant_id: int, user_id: int) -> None:
    """Give a merchant that has no owner (one an agent registered) its owner, who becomes a merchant."""
    if await repo.get_owner_id(conn, merchant_id) is not None:
        raise Conflict("This shop already has an owner.", code="already_owned")
    await repo.update_owner(conn, merchant_id, user_id)
    await grant_role(conn, user_id, "merchant")
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))


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
    return await get_merchant(conn, merchant_id)


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
    merchant = await get_merchant(conn, merchant_id)
    await tell_admins_waiting(conn, merchant)
    return merchant


async def tell_admins_waiting(conn: asyncpg.Connection, merchant: Merchant) -> None:
    """Admins hear once that a shop finished onboarding and waits for their approval."""
    if merchant.status == "pending":
        await enqueue_admins(conn, "admin_merchant_waiting", data={"shop_name": dict(merchant.name),
                                                                   "merchant_id": merchant.id},
                             dedupe_key=f"admin_merchant_waiting:{merchant.id}")


async def save_texts(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, data: MerchantTexts
) -> Merchant:
    """The shop's name and story in every language (the ones left blank are removed); a name is required."""
    access = await merchant_access(conn, actor, merchant_id)
    try:
        name = clean_display_names(clean_localized(data.name, max_length=200))
        story = clean_localized(data.story, max_length=5000)
    except InvisibleCharacters as error:
        raise Unprocessable(str(error), code="invalid_characters", details={"field": "name_vi"}) from None
    except ValueError as error:
        raise Unprocessable(str(error), code="text_too_long") from None
    if not name:
        raise Unprocessable("The shop needs a name in at least one language.", code="name_required",
                            details={"field": "name_vi"})
    await repo.update_texts(conn, merchant_id, name, story)
    await record_if_agent(conn, access, "merchant.texts", {"locales": sorted(name)})
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    return await get_merchant(conn, merchant_id)


async def store_logo(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, images: ImagePipeline, upload: Any
) -> Merchant:
    """Check access first (no file is stored for strangers), run the image pipeline, set the shop's logo."""
    file = require_file(upload)
    access = await merchant_access(conn, actor, merchant_id)
    await enforce_upload_quota(conn, merchant_id, await repo.get_status(conn, merchant_id))
    stored = await images.store_file(file)
    await repo.update_logo(conn, merchant_id, stored.urls)
    await record_if_agent(conn, access, "merchant.logo", {})
    await enqueue(conn, [merchant_document_id(merchant_id)])
    return await get_merchant(conn, merchant_id)


async def agent_commune(conn: asyncpg.Connection, user_id: int) -> int | None:
    """The commune a community agent serves, if any."""
    return await repo.get_agent_commune(conn, user_id)


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
    if await repo.ever_assisted_by(conn, merchant_id, user_id):
        # A second person: the agent who registered a producer (and so controls its account until the takeover)
        # must not also be the one who lets it sell.
        raise Forbidden("You registered or assist this producer; another agent or an admin must review it.",
                        code="second_person_required")
    if merchant.onboarding_step < 4:
        raise Conflict("The merchant has not finished onboarding.", code="onboarding_incomplete")
    status = "approved" if decision.approve else "rejected"
    await repo.set_status(conn, merchant_id, status, user_id, decision.note.strip())
    await enqueue_merchant(conn, "shop_approved" if decision.approve else "shop_refused", merchant_id,
                           data={"note": decision.note.strip()})
    # Approval makes the shop and its published products public at once (and rejection hides them).
    await enqueue(conn, await merchant_document_ids(conn, merchant_id))
    if decision.approve:
        await record_event(conn, "merchant.approved", {"id": merchant.id, "slug": merchant.slug})
    return await get_merchant(conn, merchant_id)


async def merchant_document_ids(conn: asyncpg.Connection, merchant_id: int) -> list[str]:
    """The search documents that show this merchant: itself and every product."""
    products = await repo.list_product_kinds(conn, merchant_id)
    return [merchant_document_id(merchant_id), *(product_document_id(kind, id_) for id_, kind in products)]


async def get_public_merchant(conn: asyncpg.Connection, slug: str) -> Merchant:
    """An approved merchant by slug; anything else is not found (nothing of a pending merchant is public)."""
    merchant = await repo.get_merchant_by_slug(conn, slug)
    if merchant is None or merchant.status != "approved":
        raise NotFound("No such shop.", code="merchant_not_found")
    return merchant


async def get_merchant_for(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> Merchant:
    """The merchant for someone who manages it."""
    await merchant_access(conn, actor, merchant_id)
    return await get_merchant(conn, merchant_id)


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


async def look_alikes_of(conn: asyncpg.Connection, pending: list[Merchant]) -> dict[int, list[dict[str, Any]]]:
    """For the approval queue: merchant id -> the approved shops whose name has the same confusable skeleton
    (i18n.confusables), so a reviewer sees "Gаrlic" with a Cyrillic а next to the approved "Garlic"."""
    if not pending:
        return {}
    await repo.fill_missing_skeletons(conn)
    return await repo.list_look_alikes(conn, [merchant.id for merchant in pending])


async def get_merchant(conn: asyncpg.Connection, merchant_id: int) -> Merchant:
    """A merchant by id, whatever its status (for services that checked access already); NotFound if none."""
    merchant = await repo.get_merchant(conn, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return merchant
