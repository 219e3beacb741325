"""Demo tourists' feedback, through the real services: one report resolved with a reply, one being handled, one
just received, so the inbox, the private pages and the province's feedback figures have something to show."""

import asyncpg

from marketplace.feedback import service
from marketplace.feedback.models import FeedbackCreate
from marketplace.platform.access import SystemActor
from marketplace.platform.errors import NotFound
from marketplace.province.service import list_officials

__all__ = ["seed_demo_feedback"]

ADMIN = SystemActor(None, frozenset({"admin"}))
TOWERS = "po-klong-garai"


async def seed_demo_feedback(conn: asyncpg.Connection, ninh_phuoc: int, shop_slug: str) -> list[str]:
    """Three reports (once the officials exist); the private path of each, to try them."""
    try:  # the towers are in the tourism demo, which the marketplace demo does not need
        attraction: str | None = (await service.describe_subject(conn, TOWERS, None) or {}).get("slug")
    except NotFound:
        attraction = None
    towers = await service.create_feedback(conn, None, FeedbackCreate(
        category="wrong_information", attraction=attraction, locale="en",
        body="The sign at the gate says the towers open at 7:00, this site says 8:00. Which one is right?"))
    spot = await service.create_feedback(conn, None, FeedbackCreate(
        category="cleanliness", commune_code=ninh_phuoc, place="Bãi tắm gần chợ", lat=11.5, lng=108.93,
        body="Nhiều rác nhựa trên bãi tắm sau cuối tuần."))
    shop = await service.create_feedback(conn, None, FeedbackCreate(
        category="other", shop=shop_slug, locale="fr",
        body="Pourriez-vous indiquer les prix en anglais sur les étiquettes ?"))
    officials = {official.email: SystemActor(official.user_id, frozenset({"customer", "official"}))
                 for official in await list_officials(conn)}
    by_category = {report.category: report.id for report in await service.list_inbox(conn, ADMIN)}
    await service.resolve_feedback(conn, officials["official.province@demo.test"], by_category["wrong_information"],
                                   "The towers open at 7:00; the page has been corrected. Thank you!")
    await service.assign_feedback(conn, officials["official.ninhphuoc@demo.test"], by_category["cleanliness"])
    return [receipt.path for receipt in (towers, spot, shop)]
