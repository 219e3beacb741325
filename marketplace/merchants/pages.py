"""Merchant pages: onboarding in three short forms, the dashboard, products with images, stock and orders."""

from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from marketplace.merchants import service
from marketplace.merchants.models import MERCHANT_KINDS, MerchantDetails, MerchantLocation, MerchantStart, Ocop
from marketplace.orders.pages import see_other
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices
from marketplace.platform.errors import AppError
from marketplace.platform.forms import (
    convert_form,
    error_lines,
    optional_float,
    optional_int,
)
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer

__all__ = ["merchant_page_handlers"]

NO_STORE = {"cache-control": "private, no-store"}


def merchant_page_handlers(guards: Any) -> list[Any]:
    """Onboarding and dashboard pages (authorisation per merchant is in the services)."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class OnboardingPages(Controller):
        """Three short forms a phone can fill in."""

        path = "/merchant"
        include_in_schema = False
        guards = [shared_guards.authenticated]

        @get("/", name="marketplace.merchant_home")
        async def home(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """My shops, or the first onboarding form."""
            return page.render(
                "marketplace/merchant_home.html",
                {"merchants": await service.list_my_merchants(db, principal)},
                headers=NO_STORE,
            )

        @get("/new", name="marketplace.onboarding_start")
        async def start_form(self, page: NamedDependency[PageRenderer]) -> Any:
            """Form 1 of 3."""
            return page.render(
                "marketplace/onboarding.html",
                {"step": 1, "kinds": MERCHANT_KINDS, "values": {}, "errors": []},
                headers=NO_STORE,
            )

        @post("/new", name="marketplace.onboarding_start_post")
        async def start(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            locale: NamedDependency[str],
        ) -> Any:
            """Create the pending merchant; go to form 2."""
            form = await request.form()
            values = {k: form.get(k) for k in ("name", "kind", "phone")}
            try:
                data = convert_form({**values, "name_locale": locale}, MerchantStart)
                merchant = await service.start_onboarding(db, principal, data)
            except AppError as error:
                return page.render(
                    "marketplace/onboarding.html",
                    {"step": 1, "kinds": MERCHANT_KINDS, "values": values, "errors": error_lines(error)},
                    status_code=error.status_code,
                )
            return see_other(page, f"/merchant/{merchant.id}/location")

        @get("/{merchant_id:int}/location", name="marketplace.onboarding_location")
        async def location_form(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Form 2 of 3: commune (from the province's list), address, optional map point."""
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return page.render(
                "marketplace/onboarding.html",
                {
                    "step": 2,
                    "merchant": merchant,
                    "communes": commune_choices(DEFAULT_PROVINCE_CODE),
                    "values": {
                        "commune_code": merchant.commune_code,
                        "address": merchant.address,
                        "lat": merchant.lat,
                        "lng": merchant.lng,
                    },
                    "errors": [],
                },
                headers=NO_STORE,
            )

        @post("/{merchant_id:int}/location", name="marketplace.onboarding_location_post")
        async def location(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Save the location; go to form 3."""
            form = await request.form()
            values = {k: form.get(k) for k in ("commune_code", "address", "lat", "lng")}
            try:
                data = convert_form(
                    {
                        "commune_code": values["commune_code"],
                        "address": values["address"],
                        "lat": optional_float(form, "lat"),
                        "lng": optional_float(form, "lng"),
                    },
                    MerchantLocation,
                )
                await service.save_location(db, principal, merchant_id, data)
            except AppError as error:
                merchant = await service.get_merchant_for(db, principal, merchant_id)
                return page.render(
                    "marketplace/onboarding.html",
                    {
                        "step": 2,
                        "merchant": merchant,
                        "communes": commune_choices(DEFAULT_PROVINCE_CODE),
                        "values": values,
                        "errors": error_lines(error),
                    },
                    status_code=error.status_code,
                )
            return see_other(page, f"/merchant/{merchant_id}/details")

        @get("/{merchant_id:int}/details", name="marketplace.onboarding_details")
        async def details_form(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Form 3 of 3: story, pickup and delivery, OCOP certificate."""
            merchant = await service.get_merchant_for(db, principal, merchant_id)
            return page.render(
                "marketplace/onboarding.html",
                {"step": 3, "merchant": merchant, "values": {}, "errors": []},
                headers=NO_STORE,
            )

        @post("/{merchant_id:int}/details", name="marketplace.onboarding_details_post")
        async def details(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            locale: NamedDependency[str],
            merchant_id: FromPath[int],
        ) -> Any:
            """Save and submit for review."""
            form = await request.form()
            try:
                ocop = None
                if optional_int(form, "ocop_stars"):
                    ocop = convert_form(
                        {
                            "stars": optional_int(form, "ocop_stars"),
                            "certificate_no": form.get("ocop_certificate_no", ""),
                            "year": optional_int(form, "ocop_year"),
                            "expires_on": form.get("ocop_expires_on") or None,
                        },
                        Ocop,
                    )
                # The form edits the story in the page's language; the other languages are kept.
                current = await service.get_merchant_for(db, principal, merchant_id)
                story = {**current.story, locale: str(form.get("story") or "")}
                data = MerchantDetails(
                    story=story,
                    offers_pickup=bool(form.get("offers_pickup")),
                    delivery_fee=optional_int(form, "delivery_fee") if form.get("delivers") else None,
                    ocop=ocop,
                )
                await service.save_details(db, principal, merchant_id, data)
            except AppError as error:
                merchant = await service.get_merchant_for(db, principal, merchant_id)
                return page.render(
                    "marketplace/onboarding.html",
                    {
                        "step": 3,
                        "merchant": merchant,
                        "values": {k: form.get(k) for k in form},
                        "errors": error_lines(error),
                    },
                    status_code=error.status_code,
                )
            return see_other(page, f"/merchant/{merchant_id}")

    return [OnboardingPages]
