"""Languages pages: a shop's name and story in every language, and what is not yet written where.

Merchants (and the agents who assist them) see their own shop and products; admins also see the whole
catalogue at /merchant/languages. Mounted through the catalog's page router (marketplace/catalog/pages.py).
"""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n import SUPPORTED_LOCALES
from marketplace.catalog import service
from marketplace.merchants import service as merchants
from marketplace.merchants.models import Merchant, MerchantTexts
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, submit_form

__all__ = ["MerchantLanguagePages"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
TEMPLATE = "marketplace/languages.html"


def _values(merchant: Merchant) -> dict[str, str]:
    """The stored name and story as the form's inputs are named."""
    return {f"{field}_{locale}": text for field in ("name", "story")
            for locale, text in (getattr(merchant, field) or {}).items()}


async def _shop_page(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, merchant_id: int,
                     values: dict[str, Any] | None, errors: list[tuple[str, str]], status: int = 200) -> Response:
    merchant = await merchants.get_merchant_for(db, principal, merchant_id)
    return page.render(TEMPLATE, {"merchant": merchant, "values": _values(merchant) if values is None else values,
                                  "rows": await service.translation_gaps_for(db, principal, merchant_id),
                                  "form_locales": SUPPORTED_LOCALES, "errors": errors},
                       status_code=status, headers=NO_STORE)


class MerchantLanguagePages(Controller):
    """/{locale}/merchant/languages (admins) and /{locale}/merchant/{id}/languages (who manages the shop)."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/languages", name="marketplace.languages_all", opt={"roles": ("admin",)})
    async def catalogue(self, db: Db, page: Page, principal: Who) -> Response:
        """Every shop and product with text missing in a language."""
        rows = await service.translation_gaps_for(db, principal, None)
        return page.render(TEMPLATE, {"merchant": None, "rows": rows}, headers=NO_STORE)

    @get("/{merchant_id:int}/languages", name="marketplace.languages")
    async def shop(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """The shop's name and story in every language, and its listings' missing languages."""
        return await _shop_page(db, page, principal, merchant_id, None, [])

    @post("/{merchant_id:int}/languages", name="marketplace.languages_save")
    async def save(self, request: Request[Any, Any, Any], db: Db, page: Page, principal: Who,
                   merchant_id: FromPath[int]) -> Response:
        """Save the name and story in every language (a blank field removes that language's text)."""

        async def save_texts(data: MerchantTexts) -> str:
            await merchants.save_texts(db, principal, merchant_id, data)
            return f"/merchant/{merchant_id}/languages?saved=1"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await _shop_page(db, page, principal, merchant_id, values, errors, status)

        return await submit_form(db, page, await request.form(), MerchantTexts, save_texts, show_again)
