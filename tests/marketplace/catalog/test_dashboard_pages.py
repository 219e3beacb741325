"""The dashboard's forms through the real app: a refused change shows the page again with the reason."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.marketplace.web_helpers import page_csrf, seed_shop, sign_in_as


async def test_refused_product_changes_show_the_product_page_again(client: AsyncTestClient[Any],
                                                                   pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "dash@example.test", "Nước mắm")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/en/merchant/products/{shop.product_id}")
    blank = await client.post(f"/en/merchant/variants/{shop.variant_id}",
                              data={"price": "", "stock": "-2", "_csrf_token": token})
    assert blank.status_code == 422
    assert "This field is required." in blank.text and "This number is too small." in blank.text
    assert f'action="/en/merchant/variants/{shop.variant_id}"' in blank.text  # the product's page, to fix it
    changed = await client.post(f"/en/merchant/variants/{shop.variant_id}",
                                data={"price": "65.000", "stock": "3", "_csrf_token": token}, follow_redirects=False)
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/en/merchant/products/{shop.product_id}"
    variant = (await client.get(f"/api/v1/manage/products/{shop.product_id}")).json()["variants"][0]
    assert (variant["price"], variant["stock"]) == (65_000, 3)


async def test_new_product_form_keeps_what_was_typed(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "typed@example.test", "Táo")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/en/merchant/{shop.merchant_id}/products/new")
    refused = await client.post(f"/en/merchant/{shop.merchant_id}/products/new", data={
        "_csrf_token": token, "name_vi": "Táo xanh Ninh Thuận", "category_slug": "nope", "price": "1"})
    assert refused.status_code == 422 and "Unknown category." in refused.text
    assert 'value="Táo xanh Ninh Thuận"' in refused.text


async def test_ocop_stars_without_a_certificate_are_refused_on_the_details_form(client: AsyncTestClient[Any],
                                                                              pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "ocop@example.test", "Mật ong")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/en/merchant/{shop.merchant_id}/details")
    refused = await client.post(f"/en/merchant/{shop.merchant_id}/details",
                                data={"_csrf_token": token, "offers_pickup": "1", "ocop_stars": "4"})
    assert refused.status_code == 422 and "<code>ocop_certificate_no</code>" in refused.text
    merchant = (await client.get(f"/api/v1/manage/merchants/{shop.merchant_id}")).json()
    assert merchant["ocop"] is None
