"""Shop galleries through HTTP: the merchant uploads real images (made by Pillow) with alt text in its language,
orders and removes them; the public shop page shows WebP sizes in srcset, sized and lazy; the first photo is the
shop's picture in search; strangers get 404 and forms need their CSRF token. In Arabic (right to left) too."""

import io
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from marketplace.merchants import photos
from marketplace.search_source import MarketplaceSource
from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, seed_shop, sign_in_as


def picture(width: int, height: int, colour: tuple[int, int, int], kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=kind)
    return out.getvalue()


def gallery_images(html: str) -> list[str]:
    if '<div class="gallery photos">' not in html:
        return []
    return re.findall(r"<img [^>]+>", html.split('<div class="gallery photos">', 1)[1].split("</div>", 1)[0])


def attribute(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    assert match, (name, tag)
    return match.group(1)


async def upload(client: AsyncTestClient[Any], locale: str, merchant_id: int, data: bytes, mime: str,
                 **fields: str) -> Any:
    manage = await client.get(f"/{locale}/merchant/{merchant_id}/photos")
    assert manage.status_code == 200, manage.text[:300]
    return await client.post(f"/{locale}/merchant/{merchant_id}/photos", files={"file": ("photo", data, mime)},
                             data={"_csrf_token": csrf_from(manage.text), **fields}, follow_redirects=False)


async def photo_ids(client: AsyncTestClient[Any], merchant_id: int) -> list[int]:
    html = (await client.get(f"/vi/merchant/{merchant_id}/photos")).text
    return [int(found) for found in re.findall(r'<li id="photo-(\d+)">', html)]


async def merchant_picture(pool: asyncpg.Pool, merchant_id: int) -> str | None:
    async with pool.acquire() as connection:
        documents = await MarketplaceSource().load(connection, [f"merchant:{merchant_id}"])
    return documents[f"merchant:{merchant_id}"].image_url


async def test_a_merchant_builds_its_shop_gallery_in_arabic(client: AsyncTestClient[Any], pool: asyncpg.Pool,
                                                           settings: Any) -> None:
    shop = await seed_shop(pool, "garden@example.test", "Vườn nho Ba Mọi")
    public = (await client.get(f"/ar/shops/{shop.merchant_slug}")).text
    assert not gallery_images(public) and '<span class="illus">' in public  # the shop's drawing until then
    await sign_in_as(client, shop.owner_email)
    first = await upload(client, "ar", shop.merchant_id, picture(1200, 900, (90, 40, 110)), "image/jpeg",
                         alt_ar="عناقيد العنب تحت العريشة")
    assert first.status_code == 303 and first.headers["location"] == f"/ar/merchant/{shop.merchant_id}/photos"
    second = await upload(client, "ar", shop.merchant_id, picture(600, 800, (200, 180, 90), "PNG"), "image/png",
                          alt_ar="صاحبة المزرعة تقطف العنب", alt_vi="Chủ vườn hái nho")

    assert second.status_code == 303
    page = (await client.get(f"/ar/shops/{shop.merchant_slug}")).text
    grapes, owner = gallery_images(page)
    assert [int(w) for w in re.findall(r"\.webp (\d+)w", attribute(grapes, "srcset"))] == [160, 480, 1200]
    assert (attribute(grapes, "width"), attribute(grapes, "height")) == ("480", "360")
    # A portrait photo fits the same 480-pixel box: 360 wide, 480 high.
    assert (attribute(owner, "width"), attribute(owner, "height")) == ("360", "480")
    assert attribute(grapes, "alt") == "عناقيد العنب تحت العريشة" and 'lang="ar" dir="rtl"' in grapes
    assert 'loading="lazy"' not in grapes and 'loading="lazy"' in owner
    vietnamese = gallery_images((await client.get(f"/vi/shops/{shop.merchant_slug}")).text)
    assert attribute(vietnamese[1], "alt") == "Chủ vườn hái nho" and 'lang="vi" dir="ltr"' in vietnamese[1]
    # Korean visitors fall back to English, then Vietnamese, then whatever was written, marked as such.
    korean = gallery_images((await client.get(f"/ko/shops/{shop.merchant_slug}")).text)
    assert 'lang="ar" dir="rtl"' in korean[0] and 'lang="vi" dir="ltr"' in korean[1]
    served = await client.get(attribute(grapes, "src"))
    assert served.status_code == 200 and Image.open(io.BytesIO(served.content)).size == (480, 360)

    # The first photo is the shop's picture in search; moving the second earlier makes it the picture.
    first_id, second_id = await photo_ids(client, shop.merchant_id)
    assert await merchant_picture(pool, shop.merchant_id) == attribute(grapes, "src")
    token = csrf_from((await client.get(f"/ar/merchant/{shop.merchant_id}/photos")).text)
    moved = await client.post(f"/ar/merchant/{shop.merchant_id}/photos/{second_id}/move",
                              data={"_csrf_token": token, "direction": "earlier"})
    assert moved.status_code == 200
    assert await photo_ids(client, shop.merchant_id) == [second_id, first_id]
    assert await merchant_picture(pool, shop.merchant_id) == attribute(owner, "src")

    described = await client.post(f"/ar/merchant/{shop.merchant_id}/photos/{first_id}/alt", data={
        "_csrf_token": token, "alt_ar": "عنب أحمر ناضج", "alt_en": "Ripe red grapes"})
    assert described.status_code == 200
    english = gallery_images((await client.get(f"/en/shops/{shop.merchant_slug}")).text)
    assert attribute(english[1], "alt") == "Ripe red grapes" and 'lang="en" dir="ltr"' in english[1]

    media = Path(settings.data_dir) / "media"
    files_before = len(list(media.rglob("*.webp")))
    removed = await client.post(f"/ar/merchant/{shop.merchant_id}/photos/{first_id}/delete",
                                data={"_csrf_token": token})
    assert removed.status_code == 200 and await photo_ids(client, shop.merchant_id) == [second_id]
    assert len(list(media.rglob("*.webp"))) == files_before - 3  # every size of it is gone
    assert (await client.get(attribute(grapes, "src"))).status_code == 404


async def test_strangers_get_404_and_forms_need_csrf_alt_text_and_limits(
    client: AsyncTestClient[Any], pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await seed_shop(pool, "owner@example.test", "Gốm Bàu Trúc")
    jpeg = picture(640, 480, (150, 70, 40))
    await make_user(pool, "stranger@example.test", ["customer", "merchant"])
    await sign_in_as(client, "stranger@example.test")
    assert (await client.get(f"/vi/merchant/{shop.merchant_id}/photos")).status_code == 404
    other_page = await client.get("/vi/cart")
    stranger = await client.post(f"/vi/merchant/{shop.merchant_id}/photos", files={"file": ("p", jpeg, "image/jpeg")},
                                 data={"_csrf_token": csrf_from(other_page.text), "alt_vi": "Gốm"},
                                 follow_redirects=False)
    assert stranger.status_code == 404

    await sign_in_as(client, shop.owner_email)
    no_token = await client.post(f"/vi/merchant/{shop.merchant_id}/photos", files={"file": ("p", jpeg, "image/jpeg")},
                                 data={"alt_vi": "Gốm"}, follow_redirects=False)
    assert no_token.status_code == 403
    # The uploader's language (French here) must be described; the others are optional.
    assert (await upload(client, "fr", shop.merchant_id, jpeg, "image/jpeg", alt_vi="Gốm")).status_code == 422
    assert (await upload(client, "vi", shop.merchant_id, jpeg, "image/jpeg", alt_vi="x" * 301)).status_code == 422
    assert (await upload(client, "vi", shop.merchant_id, b"GIF89a-not-really", "image/gif",
                         alt_vi="Gốm")).status_code == 415
    out = io.BytesIO()
    Image.new("1", (4200, 4200)).save(out, format="PNG")  # 17.6 megapixels, a few KB: refused from its header
    big = out.getvalue()
    assert (await upload(client, "vi", shop.merchant_id, big, "image/png", alt_vi="Gốm")).status_code == 413
    assert await photo_ids(client, shop.merchant_id) == []

    monkeypatch.setattr(photos, "MAX_SHOP_PHOTOS", 1)
    assert (await upload(client, "vi", shop.merchant_id, jpeg, "image/jpeg", alt_vi="Bình gốm")).status_code == 303
    assert (await upload(client, "vi", shop.merchant_id, jpeg, "image/jpeg", alt_vi="Bình gốm")).status_code == 409
    [photo_id] = await photo_ids(client, shop.merchant_id)
    token = csrf_from((await client.get(f"/vi/merchant/{shop.merchant_id}/photos")).text)
    bad_move = await client.post(f"/vi/merchant/{shop.merchant_id}/photos/{photo_id}/move",
                                 data={"_csrf_token": token, "direction": "sideways"}, follow_redirects=False)
    assert bad_move.status_code == 422

    # Another shop's photo is not this shop's to remove.
    other = await seed_shop(pool, "other@example.test", "Nước mắm Cà Ná")
    await sign_in_as(client, other.owner_email)
    token = csrf_from((await client.get(f"/vi/merchant/{other.merchant_id}/photos")).text)
    wrong = await client.post(f"/vi/merchant/{other.merchant_id}/photos/{photo_id}/delete",
                              data={"_csrf_token": token}, follow_redirects=False)
    assert wrong.status_code == 404
