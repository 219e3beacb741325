"""A shop's gallery: the merchant (or the agent assisting it, or an admin) uploads photos through the image
pipeline with alt text in their language, orders and removes them; strangers get 404, as for every shop."""

from typing import Any

import asyncpg

from i18n.text import clean_localized
from marketplace.media import ImagePipeline, require_file
from marketplace.media.quota import enforce_upload_quota
from marketplace.merchants import repository as repo
from marketplace.merchants.models import Merchant, ShopPhoto
from marketplace.platform.access import Actor, MerchantAccess, merchant_access
from marketplace.platform.audit import record_if_agent
from marketplace.platform.errors import Conflict, NotFound, Unprocessable
from marketplace.platform.listings import merchant_document_id
from search.outbox import enqueue

__all__ = [
    "MAX_SHOP_PHOTOS",
    "list_shop_photos",
    "managed_gallery",
    "add_shop_photo",
    "describe_shop_photo",
    "move_shop_photo",
    "remove_shop_photo",
]

# A gallery, not an archive: the shop page must stay light on a weak signal.
MAX_SHOP_PHOTOS = 12
MAX_ALT_LENGTH = 300


def _checked_alt(alt: dict[str, str], required_locale: str | None) -> dict[str, str]:
    """The alt text, cleaned; required in the uploader's language (else in one language), at most 300 characters."""
    try:
        cleaned = clean_localized(alt, max_length=MAX_ALT_LENGTH)
    except ValueError as error:
        raise Unprocessable(str(error), code="text_too_long", details={"field": "alt"}) from None
    if (required_locale is not None and not cleaned.get(required_locale)) or not cleaned:
        raise Unprocessable("Describe the photo in your language for people who cannot see it.",
                            code="alt_required", details={"locale": required_locale})
    return cleaned


async def list_shop_photos(conn: asyncpg.Connection, merchant_id: int) -> list[ShopPhoto]:
    """The shop's photos in gallery order (public: the shop page shows them)."""
    return await repo.list_shop_photos(conn, merchant_id)


async def managed_gallery(conn: asyncpg.Connection, actor: Actor | None,
                          merchant_id: int) -> tuple[Merchant, list[ShopPhoto]]:
    """The shop and its photos, for those who manage it; 404 for anyone else."""
    await merchant_access(conn, actor, merchant_id)
    merchant = await repo.get_merchant(conn, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", code="merchant_not_found")
    return merchant, await repo.list_shop_photos(conn, merchant_id)


async def add_shop_photo(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, images: ImagePipeline,
                         upload: Any, alt: dict[str, str], alt_locale: str | None = None) -> ShopPhoto:
    """Check access, the alt text, the gallery's size and the upload quota before decoding; then store and attach."""
    file = require_file(upload)
    access = await merchant_access(conn, actor, merchant_id)
    alt_text = _checked_alt(alt, alt_locale)
    if await repo.count_shop_photos(conn, merchant_id) >= MAX_SHOP_PHOTOS:
        raise Conflict(f"A shop has at most {MAX_SHOP_PHOTOS} photos.", code="too_many_photos",
                       details={"max_photos": MAX_SHOP_PHOTOS})
    await enforce_upload_quota(conn, merchant_id, await repo.get_status(conn, merchant_id))
    stored = await images.store_file(file)
    photo = await repo.insert_shop_photo(conn, merchant_id, stored.key, stored.urls, stored.sizes, alt_text)
    await _changed(conn, access, "merchant.photo_added", {"photo_id": photo.id, "key": stored.key})
    return photo


async def describe_shop_photo(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, photo_id: int,
                              alt: dict[str, str], alt_locale: str | None = None) -> ShopPhoto:
    """Replace a photo's alt text (required in `alt_locale` when given)."""
    access = await merchant_access(conn, actor, merchant_id)
    photo = await repo.update_shop_photo_alt(conn, merchant_id, photo_id, _checked_alt(alt, alt_locale))
    if photo is None:
        raise NotFound("No such photo.", code="photo_not_found")
    await record_if_agent(conn, access, "merchant.photo_described", {"photo_id": photo_id})
    return photo


async def move_shop_photo(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, photo_id: int,
                          step: int) -> None:
    """Move a photo one place earlier (-1) or later (+1); the first one is the shop's picture in search."""
    access = await merchant_access(conn, actor, merchant_id)
    if not any(photo.id == photo_id for photo in await repo.list_shop_photos(conn, merchant_id)):
        raise NotFound("No such photo.", code="photo_not_found")
    # Moving the first photo earlier (or the last later) changes nothing and is no error.
    if await repo.move_shop_photo(conn, merchant_id, photo_id, step):
        await _changed(conn, access, "merchant.photo_moved", {"photo_id": photo_id, "step": step})


async def remove_shop_photo(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, photo_id: int,
                            images: ImagePipeline) -> None:
    """Remove a photo and its files (the row first: if the files cannot be deleted, the removal rolls back)."""
    access = await merchant_access(conn, actor, merchant_id)
    removed = await repo.delete_shop_photo(conn, merchant_id, photo_id)
    if removed is None:
        raise NotFound("No such photo.", code="photo_not_found")
    storage_key, size_names = removed
    await _changed(conn, access, "merchant.photo_removed", {"photo_id": photo_id, "key": storage_key})
    await images.delete(storage_key, size_names)


async def _changed(conn: asyncpg.Connection, access: MerchantAccess, action: str, details: dict[str, Any]) -> None:
    # The first photo is the shop's picture in search results.
    await record_if_agent(conn, access, action, details)
    await enqueue(conn, [merchant_document_id(access.merchant_id)])
