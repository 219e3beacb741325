"""Attraction galleries through HTTP: editors upload real images (made by Pillow) with alt text in their language,
order and remove them; the public page shows WebP sizes in srcset, sized and lazy, with alt text that falls
back with its own lang and dir; the first photo is the card picture. In Arabic (right to left) too."""

import io
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from tourism.attractions import service
from tourism.search_source import attraction_document

SLUG = "po-klong-garai"
EDIT = f"/editor/attractions/{SLUG}/edit"
PHOTOS = f"/editor/attractions/{SLUG}/photos"


def picture(width: int, height: int, colour: tuple[int, int, int], kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=kind)
    return out.getvalue()


def gallery_images(html: str) -> list[str]:
    block = html.split('<div class="gallery photos">', 1)[1].split("</div>", 1)[0] if "gallery photos" in html else ""
    return re.findall(r"<img [^>]+>", block)


def attribute(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    assert match, (name, tag)
    return match.group(1)


async def upload(client: AsyncTestClient[Any], csrf: Any, locale: str, data: bytes, mime: str,
                 **fields: str) -> Any:
    token = await csrf(client, f"/{locale}{EDIT}")
    return await client.post(f"/{locale}{PHOTOS}", files={"file": ("photo", data, mime)},
                             data={"_csrf_token": token, **fields}, follow_redirects=False)


@pytest.fixture
async def editor(client: AsyncTestClient[Any], demo: Any, session: Any) -> AsyncTestClient[Any]:
    client.cookies.set("sid", await session("editor"))
    return client


async def test_an_editor_builds_a_gallery_in_arabic(editor: AsyncTestClient[Any], csrf: Any, pool: Any) -> None:
    first = await upload(editor, csrf, "ar", picture(1600, 1200, (180, 80, 50)), "image/jpeg",
                         alt_ar="برج تشام من الطوب الأحمر عند الفجر")
    assert first.status_code == 303 and first.headers["location"] == f"/ar{EDIT}#h-photos"
    second = await upload(editor, csrf, "ar", picture(800, 600, (40, 120, 160), "PNG"), "image/png",
                          alt_ar="الدرج المؤدي إلى البرج")
    assert second.status_code == 303

    page = (await editor.get(f"/ar/attractions/{SLUG}")).text
    images = gallery_images(page)
    assert len(images) == 2 and "illus" not in page.split('<div class="gallery photos">')[1].split("</div>")[0]
    tower, stairs = images
    # WebP renditions in srcset with their real widths; the shown size is declared (no layout shift).
    widths = [int(w) for w in re.findall(r"\.webp (\d+)w", attribute(tower, "srcset"))]
    assert widths == [160, 480, 1200]
    assert (attribute(tower, "width"), attribute(tower, "height")) == ("480", "360")
    assert attribute(tower, "alt") == "برج تشام من الطوب الأحمر عند الفجر"
    assert 'lang="ar" dir="rtl"' in tower
    # The first photo is seen at once; the others load when scrolled to.
    assert 'loading="lazy"' not in tower and 'loading="lazy"' in stairs
    assert (attribute(stairs, "width"), attribute(stairs, "height")) == ("480", "360")

    # The renditions are real WebP files of the declared sizes.
    for url, width in zip(re.findall(r"(/media/\S+\.webp) \d+w", attribute(tower, "srcset")), widths, strict=True):
        served = await editor.get(url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(served.content)).size == (width, width * 3 // 4)

    # An English visitor gets the Arabic alt text marked as Arabic, right to left, until someone translates it.
    english = gallery_images((await editor.get(f"/en/attractions/{SLUG}")).text)[0]
    assert attribute(english, "alt") == "برج تشام من الطوب الأحمر عند الفجر" and 'lang="ar" dir="rtl"' in english

    photo_ids = [int(i) for i in re.findall(r'<li id="photo-(\d+)">', (await editor.get(f"/ar{EDIT}")).text)]
    assert len(photo_ids) == 2
    token = await csrf(editor, f"/en{EDIT}")
    described = await editor.post(f"/en{PHOTOS}/{photo_ids[0]}/alt", follow_redirects=False, data={
        "_csrf_token": token, "alt_en": "The red-brick Cham tower at dawn", "alt_ar": "برج تشام عند الفجر"})
    assert described.status_code == 303
    english = gallery_images((await editor.get(f"/en/attractions/{SLUG}")).text)[0]
    assert attribute(english, "alt") == "The red-brick Cham tower at dawn" and 'lang="en" dir="ltr"' in english

    # The stairs move first: they become the card picture in lists and search.
    moved = await editor.post(f"/ar{PHOTOS}/{photo_ids[1]}/move", data={"_csrf_token": token,
                                                                        "direction": "earlier"})
    assert moved.status_code == 200
    images = gallery_images((await editor.get(f"/ar/attractions/{SLUG}")).text)
    assert attribute(images[0], "alt") == "الدرج المؤدي إلى البرج"
    async with pool.acquire() as connection:
        attraction = await service.get_attraction(connection, SLUG)
        document = attraction_document(attraction)
    card_picture = attraction.photos[0].urls["thumb"]
    assert document.image_url == card_picture
    assert f'src="{card_picture}"' in (await editor.get("/ar/attractions")).text

    stairs_file = attraction.photos[0].urls["medium"]
    assert (await editor.get(stairs_file)).status_code == 200
    removed = await editor.post(f"/ar{PHOTOS}/{photo_ids[1]}/delete", data={"_csrf_token": token})
    assert removed.status_code == 200
    assert len(gallery_images((await editor.get(f"/ar/attractions/{SLUG}")).text)) == 1
    # Its files are gone too, every size.
    assert (await editor.get(stairs_file)).status_code == 404


async def test_the_uploaders_language_needs_an_alt_text(editor: AsyncTestClient[Any], csrf: Any) -> None:
    # Written in English only, on the Arabic editor page: the Arabic text is the one required.
    refused = await upload(editor, csrf, "ar", picture(640, 480, (1, 2, 3)), "image/jpeg", alt_en="A tower")
    assert refused.status_code == 422
    refused = await upload(editor, csrf, "vi", picture(640, 480, (1, 2, 3)), "image/jpeg")
    assert refused.status_code == 422
    too_long = await upload(editor, csrf, "vi", picture(640, 480, (1, 2, 3)), "image/jpeg", alt_vi="x" * 301)
    assert too_long.status_code == 422
    assert not gallery_images((await editor.get(f"/vi/attractions/{SLUG}")).text)
    api = await editor.post(f"/api/v1/attractions/{SLUG}/photos",
                            files={"file": ("p.jpg", picture(64, 48, (1, 2, 3)), "image/jpeg")})
    assert api.status_code in (401, 403)  # a session cookie is no API credential without CSRF


async def test_uploads_are_refused_to_strangers_without_csrf_and_past_the_limits(
    client: AsyncTestClient[Any], demo: Any, session: Any, csrf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    jpeg = picture(640, 480, (9, 9, 9))
    anonymous = await upload(client, csrf, "vi", jpeg, "image/jpeg", alt_vi="Tháp")
    assert anonymous.status_code in (302, 303, 401, 403) and "/media/" not in anonymous.text
    client.cookies.set("sid", await session("customer"))
    assert (await upload(client, csrf, "vi", jpeg, "image/jpeg", alt_vi="Tháp")).status_code == 403

    client.cookies.set("sid", await session("editor"))
    no_token = await client.post(f"/vi{PHOTOS}", files={"file": ("p.jpg", jpeg, "image/jpeg")},
                                 data={"alt_vi": "Tháp"}, follow_redirects=False)
    assert no_token.status_code == 403
    huge = await upload(client, csrf, "vi", b"\xff\xd8" + b"0" * (8 * 1024 * 1024 + 1), "image/jpeg", alt_vi="Tháp")
    assert 400 <= huge.status_code < 500
    not_an_image = await upload(client, csrf, "vi", b"<svg onload=alert(1)>", "image/jpeg", alt_vi="Tháp")
    assert 400 <= not_an_image.status_code < 500
    missing = await upload(client, csrf, "vi", jpeg, "image/jpeg", alt_vi="Tháp")
    assert missing.status_code == 303
    photo_id = re.findall(r'<li id="photo-(\d+)">', (await client.get(f"/vi{EDIT}")).text)[0]
    token = await csrf(client, f"/vi{EDIT}")
    # Someone else's photo id under another attraction is not found.
    wrong = await client.post(f"/vi/editor/attractions/po-rome/photos/{photo_id}/delete",
                              data={"_csrf_token": token}, follow_redirects=False)
    assert wrong.status_code == 404

    monkeypatch.setattr(service, "MAX_PHOTOS", 1)
    full = await upload(client, csrf, "vi", jpeg, "image/jpeg", alt_vi="Tháp")
    assert full.status_code == 409
