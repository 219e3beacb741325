"""Merchants write their shop and products in every language and see what is missing; admins see it all."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import make_user
from tests.marketplace.web_helpers import page_csrf, seed_shop, sign_in_as


async def test_merchants_write_every_language_and_see_what_is_missing(client: AsyncTestClient[Any],
                                                                      pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "langs@example.test", "Nho Thái An")
    other = await seed_shop(pool, "other-langs@example.test", "Tỏi Phan Rang")
    await sign_in_as(client, shop.owner_email)

    # A new product in Korean and Japanese too, from the folded "other languages" part of the form.
    token = await page_csrf(client, f"/en/merchant/{shop.merchant_id}/products/new")
    created = await client.post(f"/en/merchant/{shop.merchant_id}/products/new", data={
        "_csrf_token": token, "name_vi": "Nho xanh", "name_ko": "청포도", "description_ja": "甘いブドウ。",
        "category_slug": "fresh-fruit", "unit": "kg", "price": "50000", "stock": "5"}, follow_redirects=False)
    assert created.status_code == 303
    manage_path = created.headers["location"]
    product = (await client.get("/api/v1/manage" + manage_path.removeprefix("/en/merchant"))).json()
    assert product["name"] == {"vi": "Nho xanh", "ko": "청포도"} and product["description"] == {"ja": "甘いブドウ。"}

    # The product's page has all eight languages; the Arabic text saved there is kept.
    manage = (await client.get(manage_path)).text
    assert all(f'name="description_{code}"' in manage for code in ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar"))
    assert manage.count("(not yet written)") == 8
    # A blank field removes that language; a language the form did not send keeps its text.
    update = await client.post(manage_path, data={"_csrf_token": token, "name_vi": "Nho xanh", "name_ko": "",
                                                   "name_ar": "عنب أخضر", "description_vi": "Nho giòn."},
                               follow_redirects=False)
    assert update.status_code == 303
    product = (await client.get("/api/v1/manage" + manage_path.removeprefix("/en/merchant"))).json()
    assert product["name"] == {"vi": "Nho xanh", "ar": "عنب أخضر"}
    assert product["description"] == {"vi": "Nho giòn.", "ja": "甘いブドウ。"}

    # The shop's languages page: name and story in any language, and every listing's missing languages.
    languages_path = f"/en/merchant/{shop.merchant_id}/languages"
    page = (await client.get(languages_path)).text
    assert 'name="story_ar"' in page and 'href="' + manage_path + '"' in page
    saved = await client.post(languages_path, data={"_csrf_token": token, "name_vi": "Nho Thái An",
                                                    "name_ko": "타이안 포도", "story_ko": "바닷가 모래땅의 포도."},
                              follow_redirects=False)
    assert saved.status_code == 303
    page = (await client.get(languages_path)).text
    assert 'value="타이안 포도"' in page and "바닷가 모래땅의 포도." in page
    refused = await client.post(languages_path, data={"_csrf_token": token, "name_vi": " "})
    assert refused.status_code == 422 and "The shop needs a name in at least one language." in refused.text

    # Merchants see their own shop only; the whole catalogue is for admins.
    assert (await client.get(f"/en/merchant/{other.merchant_id}/languages")).status_code in (403, 404)
    assert (await client.get("/en/merchant/languages")).status_code == 403
    await make_user(pool, "langs-admin@example.test", ["customer", "admin"])
    await sign_in_as(client, "langs-admin@example.test")
    everything = (await client.get("/en/merchant/languages")).text
    assert "Tỏi Phan Rang" in everything and "Nho Thái An" in everything and manage_path in everything


async def test_every_category_is_named_in_every_locale(conn: asyncpg.Connection) -> None:
    from i18n import missing_locales

    names = await conn.fetch("SELECT slug, name FROM categories")
    assert len(names) == 19
    assert {row["slug"]: missing_locales(row["name"]) for row in names if missing_locales(row["name"])} == {}


async def test_category_names_read_like_the_search_labels(conn: asyncpg.Connection) -> None:
    from i18n import gettext
    from marketplace.search_source import CATEGORY_LABELS

    for row in await conn.fetch("SELECT slug, name FROM categories"):
        for locale in ("zh", "ko", "ja", "ru", "fr", "ar"):
            assert row["name"][locale] == gettext(CATEGORY_LABELS[row["slug"]], locale), (row["slug"], locale)
