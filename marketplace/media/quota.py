"""How many images a merchant may upload: few while the shop is unapproved, many once it is approved.

A freshly signed-up account can register a pending merchant at once; without a quota it could make the
server decode images all day. Each upload counts before the file is decoded.
"""

import asyncpg

from marketplace.platform.ratelimit import RateLimit, enforce

__all__ = ["UNAPPROVED_UPLOADS", "APPROVED_UPLOADS", "enforce_upload_quota"]

UNAPPROVED_UPLOADS = RateLimit("uploads.unapproved_merchant", hits=10, window_seconds=86_400)
APPROVED_UPLOADS = RateLimit("uploads.merchant", hits=300, window_seconds=3_600)


async def enforce_upload_quota(db: asyncpg.Connection | asyncpg.Pool, merchant_id: int, status: str | None) -> None:
    """Count one upload for this merchant; 429 past its quota (10 a day until approved, 300 an hour after)."""
    limit = APPROVED_UPLOADS if status == "approved" else UNAPPROVED_UPLOADS
    await enforce(db, limit, str(merchant_id))
