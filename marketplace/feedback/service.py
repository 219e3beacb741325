"""Tourists' feedback: report, route, follow, handle.

A report is about an attraction, a shop or a spot. It is routed by its commune (the attraction's, the shop's, or
the one the reporter chose): the officials of that commune and the province's officers see it, and tourism editors
see every report about an attraction (editors are not scoped to places). Its status goes received -> assigned ->
resolved; resolving needs a reply, which the reporter reads through the private link they got when reporting.

`create_feedback`, `assign_feedback` and `resolve_feedback` are the only writes. Creating and resolving record
`feedback.created` and `feedback.resolved` in the change log (`search.changes`, read by outgoing webhooks and the
changes feed) in the same transaction; their payloads name the report and where it is, never a person's words.
"""

import hashlib
import secrets
from typing import Any

import asyncpg
import msgspec

from i18n import SUPPORTED_LOCALES
from marketplace.feedback import repository
from marketplace.feedback.models import (
    MAX_PHOTO_BYTES,
    Feedback,
    FeedbackCreate,
    FeedbackReceipt,
    FeedbackTracking,
    InboxScope,
)
from marketplace.media import ImagePipeline, ImageRejected, StoredImage
from marketplace.notifications.outbox import enqueue
from marketplace.platform.access import Actor
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, check_commune
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from search.changes import record_event

__all__ = [
    "TOKEN_BYTES",
    "hash_token",
    "store_photo",
    "attach_photo",
    "describe_subject",
    "create_feedback",
    "track_feedback",
    "inbox_scope",
    "list_inbox",
    "get_feedback",
    "assign_feedback",
    "resolve_feedback",
]

# 24 random bytes: 32 URL-safe characters, beyond guessing; the database keeps only their SHA-256.
TOKEN_BYTES = 24
INBOX_LIMIT = 200


def hash_token(token: str) -> bytes:
    """The stored form of a private link's token."""
    return hashlib.sha256(token.encode()).digest()


async def store_photo(images: ImagePipeline, data: bytes, content_type: str | None) -> StoredImage:
    """The report's photo through the shared image pipeline (content checked, bombs refused, EXIF stripped);
    413 past MAX_PHOTO_BYTES, a smaller bound than the pipeline's own."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ImageRejected("The file is too large.", code="upload_too_large", status_code=413,
                            details={"field": "photo", "max_bytes": MAX_PHOTO_BYTES})
    return await images.store_upload(data, content_type=content_type)


async def attach_photo(conn: asyncpg.Connection, token: str, images: ImagePipeline, data: bytes,
                       content_type: str | None) -> FeedbackTracking:
    """The reporter adds a photo to their report (through its token) while it has none and is not resolved."""
    row = await repository.lock_by_token(conn, hash_token(token)) if 0 < len(token) <= 64 else None
    if row is None:
        raise NotFound("No report behind this link.", code="feedback_not_found")
    if row["photo_key"] is not None or row["status"] == "resolved":
        raise Conflict("This report cannot take another photo.", code="photo_not_accepted")
    stored = await store_photo(images, data, content_type)
    await repository.update_photo(conn, row["id"], stored.key, dict(stored.urls))
    return await track_feedback(conn, token)


async def _subject(conn: asyncpg.Connection, data: FeedbackCreate) -> tuple[int | None, int | None, int | None]:
    """(attraction id, merchant id, commune code) of what the report is about; 404 for an unknown subject."""
    if data.attraction is not None:
        row = await repository.get_attraction_subject(conn, data.attraction)
        if row is None:
            raise NotFound("No such attraction.", code="attraction_not_found", details={"field": "attraction"})
        return row["id"], None, row["commune_code"]
    if data.shop is not None:
        row = await repository.get_shop_subject(conn, data.shop)
        if row is None:
            raise NotFound("No such shop.", code="shop_not_found", details={"field": "shop"})
        return None, row["id"], row["commune_code"]
    if data.commune_code is not None:
        check_commune(data.commune_code, DEFAULT_PROVINCE_CODE)
    return None, None, data.commune_code


async def describe_subject(conn: asyncpg.Connection, attraction: str | None,
                           shop: str | None) -> dict[str, Any] | None:
    """What the form says the report is about: {"kind", "slug", "name"}; None for a spot; 404 for an unknown one."""
    if attraction is not None:
        row = await repository.get_attraction_subject(conn, attraction)
        kind, slug = "attraction", attraction
    elif shop is not None:
        row = await repository.get_shop_subject(conn, shop)
        kind, slug = "shop", shop
    else:
        return None
    if row is None:
        raise NotFound("No such place to report about.", code="subject_not_found", details={"field": kind})
    return {"kind": kind, "slug": slug, "name": row["name"]}


async def create_feedback(conn: asyncpg.Connection, actor: Actor | None, data: FeedbackCreate,
                          photo: StoredImage | None = None) -> FeedbackReceipt:
    """Record a report, notify the officials it is routed to, and give the reporter their private token."""
    if data.attraction is not None and data.shop is not None:
        raise Unprocessable("A report is about an attraction or a shop, not both.", code="two_subjects",
                            details={"field": "shop"})
    if (data.lat is None) != (data.lng is None):
        raise Unprocessable("Give both the latitude and the longitude, or neither.", code="half_a_point",
                            details={"field": "lat"})
    attraction_id, merchant_id, commune_code = await _subject(conn, data)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    reporter = actor.user_id if actor is not None else None
    row = await repository.insert_feedback(conn, {
        "token_hash": hash_token(token), "category": data.category, "body": data.body.strip(),
        "attraction_id": attraction_id, "merchant_id": merchant_id, "commune_code": commune_code,
        "place": data.place, "lat": data.lat, "lng": data.lng,
        "photo_key": photo.key if photo else None, "photo_urls": dict(photo.urls) if photo else None,
        "reporter_user_id": reporter, "reporter_email": data.email,
        "locale": data.locale if data.locale in SUPPORTED_LOCALES else "vi"})
    await _notify_officials(conn, row["id"], commune_code, data.category)
    await record_event(conn, "feedback.created", {
        "id": row["id"], "category": data.category, "commune_code": commune_code,
        "attraction_id": attraction_id, "merchant_id": merchant_id})
    return FeedbackReceipt(token=token, path=f"/feedback/{token}", status=row["status"])


async def _notify_officials(conn: asyncpg.Connection, feedback_id: int, commune_code: int | None,
                            category: str) -> None:
    """The commune's officials; the province's officers when the commune has none (or the report none)."""
    recipients = await repository.list_commune_official_ids(conn, commune_code) if commune_code is not None else []
    if not recipients:
        recipients = await repository.list_province_official_ids(conn)
    for user_id in recipients:
        await enqueue(conn, "feedback_received", user_id=user_id,
                      data={"feedback_id": feedback_id, "category": category},
                      dedupe_key=f"feedback_received:{feedback_id}:{user_id}")


async def track_feedback(conn: asyncpg.Connection, token: str) -> FeedbackTracking:
    """The report behind a private link; 404 for a token nobody was given."""
    row = await repository.get_tracking(conn, hash_token(token)) if 0 < len(token) <= 64 else None
    if row is None:
        raise NotFound("No report behind this link.", code="feedback_not_found")
    return msgspec.convert(dict(row), FeedbackTracking)


async def inbox_scope(conn: asyncpg.Connection, actor: Actor | None) -> InboxScope:
    """Which reports this person handles: admins and province officers all, a commune's officials theirs,
    editors those about attractions; 403 for anyone else."""
    if actor is None or actor.user_id is None and not actor.has_role("admin"):
        raise Forbidden("Only officials and editors handle feedback.", code="not_feedback_staff")
    if actor.has_role("admin"):
        return InboxScope(everything=True)
    official = await repository.get_official_scope(conn, actor.user_id) if actor.has_role("official") else None
    editor = actor.has_role("editor")
    if official is None and not editor:
        raise Forbidden("Only officials and editors handle feedback.", code="not_feedback_staff")
    everything = official is not None and official["commune_code"] is None
    return InboxScope(everything=everything, commune_code=official["commune_code"] if official else None,
                      attractions=editor)


async def list_inbox(conn: asyncpg.Connection, actor: Actor | None, status: str | None = None) -> list[Feedback]:
    """The reports within the person's scope, open ones first, newest first."""
    scope = await inbox_scope(conn, actor)
    rows = await repository.list_inbox(conn, scope.everything, scope.commune_code, scope.attractions, status,
                                       INBOX_LIMIT)
    return [_staff_view(row) for row in rows]


def _staff_view(row: Any) -> Feedback:
    return msgspec.convert(dict(row), Feedback)


async def get_feedback(conn: asyncpg.Connection, actor: Actor | None, feedback_id: int) -> Feedback:
    """One report within the person's scope; 404 for one outside it, as for one that does not exist."""
    scope = await inbox_scope(conn, actor)
    row = await repository.get_for_staff(conn, scope.everything, scope.commune_code, scope.attractions, feedback_id)
    if row is None:
        raise NotFound("No such report.", code="feedback_not_found")
    return _staff_view(row)


async def _lock(conn: asyncpg.Connection, actor: Actor | None, feedback_id: int) -> tuple[InboxScope, int | None]:
    """The person's scope and their user id, with the report locked (so that two officials cannot resolve it
    at once); 404 outside the scope, 409 once resolved."""
    scope = await inbox_scope(conn, actor)
    row = await repository.lock_for_staff(conn, scope.everything, scope.commune_code, scope.attractions, feedback_id)
    if row is None:
        raise NotFound("No such report.", code="feedback_not_found")
    if row["status"] == "resolved":
        raise Conflict("This report is already resolved.", code="feedback_resolved")
    assert actor is not None  # inbox_scope refuses nobody
    return scope, actor.user_id


async def assign_feedback(conn: asyncpg.Connection, actor: Actor | None, feedback_id: int) -> Feedback:
    """Take a report (received, or assigned to someone else): it is now assigned to this person."""
    _, user_id = await _lock(conn, actor, feedback_id)
    await repository.update_assigned(conn, feedback_id, user_id)
    return await get_feedback(conn, actor, feedback_id)


async def resolve_feedback(conn: asyncpg.Connection, actor: Actor | None, feedback_id: int, reply: str) -> Feedback:
    """Resolve a report with a reply; the reporter is told (by their account or the address they left)."""
    scope, user_id = await _lock(conn, actor, feedback_id)
    reply = reply.strip()
    if not reply:
        raise Unprocessable("Write a reply for the reporter.", code="reply_missing", details={"field": "reply"})
    await repository.update_resolved(conn, feedback_id, reply, user_id)
    row = await repository.get_for_staff(conn, scope.everything, scope.commune_code, scope.attractions, feedback_id)
    assert row is not None  # locked within the scope a moment ago
    if row["reporter_user_id"] is not None or row["reporter_email"]:
        await enqueue(conn, "feedback_resolved", user_id=row["reporter_user_id"],
                      email=None if row["reporter_user_id"] is not None else row["reporter_email"],
                      locale=row["locale"], data={"category": row["category"], "reply": reply},
                      dedupe_key=f"feedback_resolved:{feedback_id}")
    await record_event(conn, "feedback.resolved", {
        "id": feedback_id, "category": row["category"], "commune_code": row["commune_code"]})
    return _staff_view(row)
