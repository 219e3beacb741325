"""The merchant dashboard: products with photos, prices, stock and slots; orders; the shop's logo; audit log."""

from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from marketplace.agents.service import get_consent
from marketplace.catalog import service as catalog
from marketplace.catalog.api import store_product_image
from marketplace.catalog.models import UNITS, ProductCreate, ProductUpdate, VariantIn, VariantUpdate
from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service
from marketplace.orders import service as orders
from marketplace.orders.pages import form_int, see_other
from marketplace.orders.states import MERCHANT_TRANSITIONS
from marketplace.platform.audit import list_audit_log
from marketplace.platform.divisions import commune_name
from marketplace.platform.errors import AppError, BadRequest
from marketplace.platform.forms import convert_form, error_lines, local_datetime, localized_fields, optional_int
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer

__all__ = ["dashboard_page_handlers", "store_logo"]

NO_STORE = {"cache-control": "private, no-store"}
# The product form edits Vietnamese and English, the languages merchants write in.
EDITED_LOCALES = ("vi", "en")
# Shipping and delivering straight from the order list (cancelling stays on the order page, with a reason).
MERCHANT_NEXT_STEPS: dict[str, list[str]] = {
    src: [dst for (s, dst) in sorted(MERCHANT_TRANSITIONS) if s == src and dst != "cancelled"]
    for (src, _) in MERCHANT_TRANSITIONS
}


def _product_create(form: Any) -> ProductCreate:
    variant: dict[str, Any] = {
        "label": localized_fields(form, "variant_label"),
        "price": optional_int(form, "price"),
        "stock": optional_int(form, "stock") or 0,
    }
    starts_at = local_datetime(form, "starts_at")
    if starts_at is not None:
        variant["starts_at"] = starts_at
    return convert_form(
        {
            "name": localized_fields(form, "name"),
            "description": localized_fields(form, "description"),
            "category_slug": form.get("category_slug", ""),
            "unit": form.get("unit", "piece"),
            "variants": [variant],
            "publish": bool(form.get("publish")),
        },
        ProductCreate,
    )


async def store_logo(
    db: asyncpg.Connection, principal: Any, merchant_id: int, images: ImagePipeline, upload: Any
) -> Any:
    """Check access, run the image pipeline, set the merchant's logo."""
    if upload is None or not hasattr(upload, "read"):
        raise BadRequest("Attach the image as the multipart field 'file'.", code="file_missing")
    await service.get_merchant_for(db, principal, merchant_id)
    stored = await images.store_upload(await upload.read(), content_type=getattr(upload, "content_type", None))
    return await service.set_logo(db, principal, merchant_id, stored.urls)


def dashboard_page_handlers(guards: Any) -> list[Any]:
    """The dashboard pages (authorisation per merchant is in the services)."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class DashboardPages(Controller):
        """A merchant's products, stock, images and orders."""

        path = "/merchant"
        include_in_schema = False
        guards = [shared_guards.authenticated]

        @get("/{merchant_id:int}", name="marketplace.dashboard")
        async def dashboard(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Products and orders (filter with ?status=)."""
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            status = request.query_params.get("status") or None
            return page.render(
                "marketplace/dashboard.html",
                {
                    "merchant": merchant,
                    "commune": commune_name(merchant.commune_code),
                    "products": await catalog.list_merchant_products(db, principal, merchant_id),
                    "orders": await orders.list_merchant_orders(db, principal, merchant_id, status=status),
                    "status": status,
                    "next_steps": MERCHANT_NEXT_STEPS,
                },
                headers=NO_STORE,
            )

        @post(
            "/{merchant_id:int}/logo",
            name="marketplace.logo_upload",
            request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
        )
        async def upload_logo(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            images: NamedDependency[ImagePipeline],
            merchant_id: FromPath[int],
        ) -> Redirect:
            """Upload the shop's logo."""
            form = await request.form()
            await store_logo(db, principal, merchant_id, images, form.get("file"))
            return see_other(page, f"/merchant/{merchant_id}")

        @get("/{merchant_id:int}/audit-log", name="marketplace.audit_log")
        async def audit(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """What agents did for this merchant."""
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return page.render(
                "marketplace/audit_log.html",
                {
                    "merchant": merchant,
                    "entries": await list_audit_log(db, principal, merchant_id),
                    "consents": await get_consent(db, principal, merchant_id),
                },
                headers=NO_STORE,
            )

        @get("/{merchant_id:int}/products/new", name="marketplace.product_new")
        async def new_product_form(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Add a product or experience."""
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return page.render(
                "marketplace/product_form.html",
                {
                    "merchant": merchant,
                    "tree": await catalog.category_tree(db),
                    "units": UNITS,
                    "values": {},
                    "errors": [],
                },
                headers=NO_STORE,
            )

        @post("/{merchant_id:int}/products/new", name="marketplace.product_create")
        async def create_product(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Create it, then go to its page to add images."""
            form = await request.form()
            try:
                product = await catalog.create_product(db, principal, merchant_id, _product_create(form))
            except AppError as error:
                merchant = await service.get_merchant_for(db, principal, merchant_id)
                return page.render(
                    "marketplace/product_form.html",
                    {
                        "merchant": merchant,
                        "tree": await catalog.category_tree(db),
                        "units": UNITS,
                        "values": {k: form.get(k) for k in form},
                        "errors": error_lines(error),
                    },
                    status_code=error.status_code,
                )
            return see_other(page, f"/merchant/products/{product.id}")

        @get("/products/{product_id:int}", name="marketplace.product_manage")
        async def manage_product(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            product_id: FromPath[int],
        ) -> Any:
            """Edit a product: names, prices, stock, slots, images, publishing."""
            product = await catalog.get_product_for(db, principal, product_id)
            return page.render(
                "marketplace/product_manage.html",
                {"product": product, "max_upload_mb": MAX_UPLOAD_BYTES // 2**20, "edited_locales": EDITED_LOCALES},
                headers=NO_STORE,
            )

        @post("/products/{product_id:int}", name="marketplace.product_update")
        async def update_product(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            product_id: FromPath[int],
        ) -> Redirect:
            """Save names and description."""
            form = await request.form()
            product = await catalog.get_product_for(db, principal, product_id)
            # The form edits the languages it shows; texts in the other languages are kept as they are.
            shown = EDITED_LOCALES
            name = {k: v for k, v in product.name.items() if k not in shown} | localized_fields(form, "name")
            description = {k: v for k, v in product.description.items() if k not in shown} | localized_fields(
                form, "description"
            )
            await catalog.update_product(db, principal, product_id, ProductUpdate(name=name, description=description))
            return see_other(page, f"/merchant/products/{product_id}")

        @post("/products/{product_id:int}/status", name="marketplace.product_status")
        async def product_status(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            product_id: FromPath[int],
        ) -> Redirect:
            """Publish, unpublish or delete."""
            form = await request.form()
            action = form.get("action")
            product = await catalog.get_product_for(db, principal, product_id)
            if action == "publish":
                await catalog.publish_product(db, principal, product_id)
            elif action == "unpublish":
                await catalog.unpublish_product(db, principal, product_id)
            elif action == "delete":
                await catalog.delete_product(db, principal, product_id)
                return see_other(page, f"/merchant/{product.merchant_id}")
            return see_other(page, f"/merchant/products/{product_id}")

        @post("/products/{product_id:int}/variants", name="marketplace.variant_add")
        async def add_variant(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            product_id: FromPath[int],
        ) -> Redirect:
            """Add a size, weight or slot."""
            form = await request.form()
            data = convert_form(
                {
                    "label": localized_fields(form, "variant_label"),
                    "price": optional_int(form, "price"),
                    "stock": optional_int(form, "stock") or 0,
                    "starts_at": local_datetime(form, "starts_at"),
                },
                VariantIn,
            )
            await catalog.add_variant(db, principal, product_id, data)
            return see_other(page, f"/merchant/products/{product_id}")

        @post("/variants/{variant_id:int}", name="marketplace.variant_update")
        async def update_variant(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            variant_id: FromPath[int],
        ) -> Redirect:
            """Change price and stock."""
            form = await request.form()
            product = await catalog.update_variant(
                db, principal, variant_id, VariantUpdate(price=form_int(form, "price"), stock=form_int(form, "stock"))
            )
            return see_other(page, f"/merchant/products/{product.id}")

        @post(
            "/products/{product_id:int}/images",
            name="marketplace.image_upload",
            request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
        )
        async def upload_image(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            images: NamedDependency[ImagePipeline],
            product_id: FromPath[int],
        ) -> Redirect:
            """Upload a photo from the phone."""
            form = await request.form()
            await store_product_image(db, principal, product_id, images, form.get("file"))
            return see_other(page, f"/merchant/products/{product_id}")

    return [DashboardPages]
