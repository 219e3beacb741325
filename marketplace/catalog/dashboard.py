"""The merchant dashboard: its products with photos, prices, stock and slots, and its orders.

Owners, assisting agents and admins use it alike: the services check who may act for which merchant, so the
routes only need someone signed in. Mounted through the catalog's page router (marketplace/catalog/pages.py).
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from i18n import SUPPORTED_LOCALES
from marketplace.catalog import service
from marketplace.catalog.models import (
    UNITS,
    ProductForm,
    ProductStatusForm,
    ProductTextForm,
    VariantForm,
    VariantUpdateForm,
)
from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service as merchants
from marketplace.orders import service as orders
from marketplace.orders.states import MERCHANT_TRANSITIONS
from marketplace.platform.divisions import commune_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form

__all__ = ["MerchantDashboardPages"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
AnyRequest = Request[Any, Any, Any]
Errors = list[tuple[str, str]]
T = TypeVar("T")

# The product's page edits every language: Vietnamese and English open, the others folded, each saying
# whether it is written yet.
EDITED_LOCALES = SUPPORTED_LOCALES
# Shipping and delivering straight from the order list (cancelling stays on the order page, with a reason).
MERCHANT_NEXT_STEPS: dict[str, list[str]] = {
    src: [dst for (s, dst) in sorted(MERCHANT_TRANSITIONS) if s == src and dst != "cancelled"]
    for (src, _) in MERCHANT_TRANSITIONS
}


async def _product_form(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, merchant_id: int,
                        values: dict[str, Any], errors: Errors, status: int = 200) -> Response:
    """The form for a new product, with what was typed and why it was refused."""
    merchant = await merchants.get_merchant_for(db, principal, merchant_id)
    return page.render("marketplace/product_form.html",
                       {"merchant": merchant, "tree": await service.category_tree(db), "units": UNITS,
                        "values": values, "errors": errors, "edited_locales": EDITED_LOCALES},
                       status_code=status, headers=NO_STORE)


async def _manage_page(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, product_id: int,
                       errors: Errors, status: int = 200) -> Response:
    """One product's page: names, prices, stock, slots, images, publishing; with why a change was refused."""
    product = await service.get_product_for(db, principal, product_id)
    return page.render("marketplace/product_manage.html",
                       {"product": product, "max_upload_mb": MAX_UPLOAD_BYTES // 2**20,
                        "edited_locales": EDITED_LOCALES, "errors": errors},
                       status_code=status, headers=NO_STORE)


async def _submit_product_form(request: AnyRequest, db: asyncpg.Connection, page: PageRenderer,
                               principal: Principal | None, product_id: int, model: type[T],
                               save: Callable[[T], Awaitable[str]]) -> Response:
    """A form of the product's page: saved and back to it, or the page again with why it was refused."""

    async def show_again(_: dict[str, Any], errors: Errors, status: int) -> Response:
        return await _manage_page(db, page, principal, product_id, errors, status)

    return await submit_form(db, page, await request.form(), model, save, show_again)


class MerchantDashboardPages(Controller):
    """A merchant's products, stock, images and orders."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/{merchant_id:int}", name="marketplace.dashboard")
    async def dashboard(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                        merchant_id: FromPath[int]) -> Response:
        """Products and orders (filter with ?status=)."""
        merchant = await merchants.get_merchant_for(db, principal, merchant_id)
        status = request.query_params.get("status") or None
        return page.render(
            "marketplace/dashboard.html",
            {
                "merchant": merchant,
                "commune": commune_name(merchant.commune_code),
                "products": await service.list_merchant_products(db, principal, merchant_id),
                "orders": await orders.list_merchant_orders(db, principal, merchant_id, status=status),
                "status": status,
                "next_steps": MERCHANT_NEXT_STEPS,
            },
            headers=NO_STORE,
        )

    @get("/{merchant_id:int}/products/new", name="marketplace.product_new")
    async def new_product_form(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """Add a product or experience."""
        return await _product_form(db, page, principal, merchant_id, {}, [])

    @post("/{merchant_id:int}/products/new", name="marketplace.product_create")
    async def create_product(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                             merchant_id: FromPath[int]) -> Response:
        """Create it, then go to its page to add images."""

        async def save(data: ProductForm) -> str:
            product = await service.create_product(db, principal, merchant_id, data.product())
            return f"/merchant/products/{product.id}"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            return await _product_form(db, page, principal, merchant_id, values, errors, status)

        return await submit_form(db, page, await request.form(), ProductForm, save, show_again)

    @get("/products/{product_id:int}", name="marketplace.product_manage")
    async def manage_product(self, db: Db, page: Page, principal: Who, product_id: FromPath[int]) -> Response:
        """Edit a product: names, prices, stock, slots, images, publishing."""
        return await _manage_page(db, page, principal, product_id, [])

    @post("/products/{product_id:int}", name="marketplace.product_update")
    async def update_product(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                             product_id: FromPath[int]) -> Response:
        """Save names and description."""

        form = await request.form()
        # A language's text is replaced only when the form sent its fields (blank removes it); a form that
        # did not show a language (an older page, an API client) keeps what that language has.
        sent = tuple(code for code in EDITED_LOCALES if f"name_{code}" in form or f"description_{code}" in form)

        async def save(data: ProductTextForm) -> str:
            product = await service.get_product_for(db, principal, product_id)
            await service.update_product(db, principal, product_id, data.update(product, sent))
            return f"/merchant/products/{product_id}"

        return await _submit_product_form(request, db, page, principal, product_id, ProductTextForm, save)

    @post("/products/{product_id:int}/status", name="marketplace.product_status")
    async def product_status(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                             product_id: FromPath[int]) -> Response:
        """Publish, unpublish or delete."""

        async def save(data: ProductStatusForm) -> str:
            if data.action == "publish":
                await service.publish_product(db, principal, product_id)
            elif data.action == "unpublish":
                await service.unpublish_product(db, principal, product_id)
            else:
                product = await service.get_product_for(db, principal, product_id)
                await service.delete_product(db, principal, product_id)
                return f"/merchant/{product.merchant_id}"
            return f"/merchant/products/{product_id}"

        return await _submit_product_form(request, db, page, principal, product_id, ProductStatusForm, save)

    @post("/products/{product_id:int}/variants", name="marketplace.variant_add")
    async def add_variant(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                          product_id: FromPath[int]) -> Response:
        """Add a size, weight or slot."""

        async def save(data: VariantForm) -> str:
            await service.add_variant(db, principal, product_id, data.variant())
            return f"/merchant/products/{product_id}"

        return await _submit_product_form(request, db, page, principal, product_id, VariantForm, save)

    @post("/variants/{variant_id:int}", name="marketplace.variant_update")
    async def update_variant(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                             variant_id: FromPath[int]) -> Response:
        """Change price and stock."""

        async def save(data: VariantUpdateForm) -> str:
            product = await service.update_variant(db, principal, variant_id, data.update())
            return f"/merchant/products/{product.id}"

        async def show_again(_: dict[str, Any], errors: Errors, status: int) -> Response:
            # Only a refused change needs the variant's product, to show its page again.
            product = await service.get_variant_product_for(db, principal, variant_id)
            return await _manage_page(db, page, principal, product.id, errors, status)

        return await submit_form(db, page, await request.form(), VariantUpdateForm, save, show_again)

    @post("/products/{product_id:int}/images", name="marketplace.image_upload",
          request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024, opt={"cpu_work": "image"})
    async def upload_image(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                           images: NamedDependency[ImagePipeline], product_id: FromPath[int]) -> Redirect:
        """Upload a photo from the phone."""
        form = await request.form()
        await service.store_product_image(db, principal, product_id, images, form.get("file"))
        return see_other(page, f"/merchant/products/{product_id}")
