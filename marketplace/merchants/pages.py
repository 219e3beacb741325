"""Merchant pages: my shops, onboarding in three short forms a phone can fill in, the approval queue, the logo.

The dashboard's home, products, stock and slots are the catalog's pages (marketplace/catalog/dashboard.py), its
audit log and the producer's consent the agents' (marketplace/agents/pages.py): each page lives with the data
it shows, so no package needs one above it.

Who may act for which merchant is checked by the services; these routes only need someone signed in.
"""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import photos, service
from marketplace.merchants.models import (
    MERCHANT_KINDS,
    MerchantDetailsForm,
    MerchantLocation,
    MerchantReviewForm,
    MerchantStart,
)
from marketplace.orders.notices import dashboard_counts
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, commune_name
from marketplace.platform.errors import Unprocessable
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form

__all__ = ["OnboardingPages", "ApprovalPages", "ShopLogoPages", "ShopPhotoPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
AnyRequest = Request[Any, Any, Any]
Errors = list[tuple[str, str]]


def _onboarding(page: PageRenderer, step: int, values: dict[str, Any], errors: Errors, status: int = 200,
                **context: Any) -> Response:
    """One of the three onboarding forms, with what was typed and why it was refused."""
    return page.render("marketplace/onboarding.html", {"step": step, "values": values, "errors": errors, **context},
                       status_code=status, headers=NO_STORE)


class OnboardingPages(Controller):
    """My shops, then three short forms: who you are, where you are, your story and delivery."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/", name="marketplace.merchant_home")
    async def home(self, db: Db, page: Page, principal: Who) -> Response:
        """My shops, or the first onboarding form."""
        return page.render("marketplace/merchant_home.html",
                           {"merchants": await service.list_my_merchants(db, principal),
                            "counts": await dashboard_counts(db, principal.user_id if principal else None)},
                           headers=NO_STORE)

    @get("/new", name="marketplace.onboarding_start")
    async def start_form(self, page: Page) -> Response:
        """Form 1 of 3."""
        return _onboarding(page, 1, {}, [], kinds=MERCHANT_KINDS)

    @post("/new", name="marketplace.onboarding_start_post")
    async def start(self, request: AnyRequest, db: Db, page: Page, principal: Who, locale: NamedDependency[str]) -> Any:
        """Create the pending merchant; go to form 2."""

        async def save(data: MerchantStart) -> str:
            merchant = await service.start_onboarding(db, principal, data)
            return f"/merchant/{merchant.id}/location"

        def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            return _onboarding(page, 1, values, errors, status, kinds=MERCHANT_KINDS)

        return await submit_form(db, page, await request.form(), MerchantStart, save, show_again, name_locale=locale)

    @get("/{merchant_id:int}/location", name="marketplace.onboarding_location")
    async def location_form(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """Form 2 of 3: commune (from the province's list), address, optional map point."""
        merchant = await service.get_merchant_for(db, principal, merchant_id)
        values = {"commune_code": merchant.commune_code, "address": merchant.address, "lat": merchant.lat,
                  "lng": merchant.lng}
        return _onboarding(page, 2, values, [], merchant=merchant, communes=commune_choices(DEFAULT_PROVINCE_CODE))

    @post("/{merchant_id:int}/location", name="marketplace.onboarding_location_post")
    async def location(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                       merchant_id: FromPath[int]) -> Any:
        """Save the location; go to form 3."""

        async def save(data: MerchantLocation) -> str:
            await service.save_location(db, principal, merchant_id, data)
            return f"/merchant/{merchant_id}/details"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return _onboarding(page, 2, values, errors, status, merchant=merchant,
                               communes=commune_choices(DEFAULT_PROVINCE_CODE))

        return await submit_form(db, page, await request.form(), MerchantLocation, save, show_again)

    @get("/{merchant_id:int}/details", name="marketplace.onboarding_details")
    async def details_form(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """Form 3 of 3: story, pickup and delivery, OCOP certificate."""
        merchant = await service.get_merchant_for(db, principal, merchant_id)
        return _onboarding(page, 3, {}, [], merchant=merchant)

    @post("/{merchant_id:int}/details", name="marketplace.onboarding_details_post")
    async def details(self, request: AnyRequest, db: Db, page: Page, principal: Who, locale: NamedDependency[str],
                      merchant_id: FromPath[int]) -> Any:
        """Save and submit for review."""

        async def save(data: MerchantDetailsForm) -> str:
            # The form edits the story in the page's language; the other languages are kept.
            current = await service.get_merchant_for(db, principal, merchant_id)
            await service.save_details(db, principal, merchant_id, data.details(current.story, locale))
            return f"/merchant/{merchant_id}"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return _onboarding(page, 3, values, errors, status, merchant=merchant)

        return await submit_form(db, page, await request.form(), MerchantDetailsForm, save, show_again)


class ApprovalPages(Controller):
    """The approval queue (admins: all; agents: their commune)."""

    path = "/admin/merchants"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/", name="marketplace.approval_queue")
    async def queue(self, db: Db, page: Page, principal: Who) -> Response:
        """Merchants waiting for review."""
        return await _approval_queue(db, page, principal, [])

    @post("/{merchant_id:int}/review", name="marketplace.approval_review")
    async def review(self, request: AnyRequest, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Any:
        """Approve or reject."""

        async def save(data: MerchantReviewForm) -> str:
            await service.review_merchant(db, principal, merchant_id, data.review())
            return "/admin/merchants"

        async def show_again(_: dict[str, Any], errors: Errors, status: int) -> Response:
            return await _approval_queue(db, page, principal, errors, status)

        return await submit_form(db, page, await request.form(), MerchantReviewForm, save, show_again)


async def _approval_queue(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, errors: Errors,
                          status: int = 200) -> Response:
    pending = await service.list_approval_queue(db, principal)
    look_alikes = await service.look_alikes_of(db, pending)
    return page.render("marketplace/approval_queue.html",
                       {"pending": pending, "look_alikes": look_alikes, "commune_name": commune_name,
                        "errors": errors},
                       status_code=status, headers=NO_STORE)


class ShopLogoPages(Controller):
    """The shop's logo, uploaded from the dashboard (its products, stock and slots are the catalog's pages)."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @post("/{merchant_id:int}/logo", name="marketplace.logo_upload", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
          opt={"cpu_work": "image"})
    async def upload_logo(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                          images: NamedDependency[ImagePipeline], merchant_id: FromPath[int]) -> Redirect:
        """Upload the shop's logo."""
        form = await request.form()
        await service.store_logo(db, principal, merchant_id, images, form.get("file"))
        return see_other(page, f"/merchant/{merchant_id}")


def _alt_fields(form: Any) -> dict[str, str]:
    """`alt_<locale>` fields as {locale: text} (lengths and locales are the service's to check)."""
    return {key.removeprefix("alt_"): value for key, value in form.items()
            if key.startswith("alt_") and isinstance(value, str)}


class ShopPhotoPages(Controller):
    """The shop's gallery, managed by its merchant (or assisting agent, or an admin); 404 for anyone else."""

    path = "/merchant/{merchant_id:int}/photos"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/", name="marketplace.shop_photos")
    async def gallery(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """Each photo with its alt text, order and removal; the upload form."""
        merchant, shop_photos = await photos.managed_gallery(db, principal, merchant_id)
        return page.render("marketplace/shop_photos.html", {
            "merchant": merchant, "photos": shop_photos, "max_photos": photos.MAX_SHOP_PHOTOS,
            "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}, headers=NO_STORE)

    @post("/", name="marketplace.shop_photo_upload", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
          opt={"cpu_work": "image"})
    async def upload(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                     images: NamedDependency[ImagePipeline], merchant_id: FromPath[int]) -> Redirect:
        """Upload a photo with its alt text (required in the uploader's language)."""
        form = await request.form()
        await photos.add_shop_photo(db, principal, merchant_id, images, form.get("file"), _alt_fields(form),
                                    page.locale)
        return see_other(page, f"/merchant/{merchant_id}/photos")

    @post("/{photo_id:int}/alt", name="marketplace.shop_photo_alt")
    async def describe(self, request: AnyRequest, db: Db, page: Page, principal: Who, merchant_id: FromPath[int],
                       photo_id: FromPath[int]) -> Redirect:
        """Change a photo's alt text."""
        form = await request.form()
        await photos.describe_shop_photo(db, principal, merchant_id, photo_id, _alt_fields(form), page.locale)
        return see_other(page, f"/merchant/{merchant_id}/photos")

    @post("/{photo_id:int}/move", name="marketplace.shop_photo_move")
    async def move(self, request: AnyRequest, db: Db, page: Page, principal: Who, merchant_id: FromPath[int],
                   photo_id: FromPath[int]) -> Redirect:
        """Move a photo earlier (`direction=earlier`) or later; the first is the shop's picture."""
        direction = (await request.form()).get("direction")
        if direction not in ("earlier", "later"):
            raise Unprocessable("direction must be 'earlier' or 'later'", code="invalid_direction")
        await photos.move_shop_photo(db, principal, merchant_id, photo_id, -1 if direction == "earlier" else 1)
        return see_other(page, f"/merchant/{merchant_id}/photos")

    @post("/{photo_id:int}/delete", name="marketplace.shop_photo_delete")
    async def remove(self, db: Db, page: Page, principal: Who, images: NamedDependency[ImagePipeline],
                     merchant_id: FromPath[int], photo_id: FromPath[int]) -> Redirect:
        """Remove a photo and its files."""
        await photos.remove_shop_photo(db, principal, merchant_id, photo_id, images)
        return see_other(page, f"/merchant/{merchant_id}/photos")


router = Router(path="/", route_handlers=[OnboardingPages, ApprovalPages, ShopLogoPages, ShopPhotoPages])
