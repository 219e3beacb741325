"""HTML pages of the cart, checkout, orders (buyer and merchant), packing slips and reviews."""

from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from marketplace.carts import service as carts
from marketplace.carts.web import cart_for_update, current_cart_id, offered_payment_methods
from marketplace.orders import service
from marketplace.orders.checkout import place_checkout, quote_cart
from marketplace.orders.models import CheckoutForm, DeliveryChoice
from marketplace.orders.states import BUYER_TRANSITIONS, MERCHANT_TRANSITIONS
from marketplace.platform.access import merchant_access
from marketplace.platform.divisions import (
    DEFAULT_PROVINCE_CODE,
    commune_choices,
    commune_name,
    province_choices,
    province_name,
)
from marketplace.platform.errors import AppError, BadRequest
from marketplace.platform.forms import FORM_ERROR, error_lines
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, ReviewCreate

__all__ = ["order_page_handlers", "form_int", "see_other"]

NO_STORE = {"cache-control": "private, no-store"}


def see_other(page: PageRenderer, path: str, cookies: list[Any] | None = None) -> Redirect:
    """Post/redirect/get to a page of the current locale."""
    return Redirect(f"{page.path_prefix}/{page.locale}{path}", status_code=303, cookies=cookies or [])


def form_int(form: Any, name: str, default: int | None = None) -> int:
    """An integer form field, or 400 with the field's name."""
    raw = form.get(name)
    if raw in (None, "") and default is not None:
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadRequest(
            f"The field {name} must be a whole number.", code="bad_field", details={"field": name}
        ) from None


def _checkout_form(form: Any, merchant_ids: list[int]) -> CheckoutForm:
    delivery = [DeliveryChoice(mid, form.get(f"delivery_{mid}", "pickup")) for mid in merchant_ids]  # type: ignore[arg-type]
    data = {
        "contact_name": form.get("contact_name", ""),
        "contact_phone": form.get("contact_phone", ""),
        "contact_email": form.get("contact_email", ""),
        "province_code": form.get("province_code", ""),
        "commune_code": form.get("commune_code", ""),
        "address_line": form.get("address_line", ""),
        "payment_method": form.get("payment_method", "cod"),
        "delivery": delivery,
        "quote_signature": form.get("quote_signature", ""),
    }
    return msgspec.convert(data, CheckoutForm, strict=False)


def order_page_handlers(guards: Any) -> list[Any]:
    """Cart, checkout and order pages."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class CartPages(Controller):
        """The cart, for visitors and signed-in users alike."""

        include_in_schema = False

        @get("/cart", name="marketplace.cart")
        async def cart(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """The cart with today's prices and what changed since each line was added."""
            quote = await quote_cart(db, await current_cart_id(db, request, principal))
            return page.render("marketplace/cart.html", {"quote": quote}, headers=NO_STORE)

        @post("/cart/add", name="marketplace.cart_add")
        async def add(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Redirect:
            """Add to cart from a product page, then show the cart."""
            form = await request.form()
            cart_id, cookies = await cart_for_update(db, request, principal)
            await carts.add_item(db, cart_id, form_int(form, "variant_id"), form_int(form, "quantity", 1))
            return see_other(page, "/cart", cookies)

        @post("/cart/update", name="marketplace.cart_update")
        async def update(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Redirect:
            """Change a line's quantity (0 or the remove button removes it)."""
            form = await request.form()
            cart_id, cookies = await cart_for_update(db, request, principal)
            quantity = 0 if form.get("remove") else form_int(form, "quantity")
            await carts.update_quantity(db, cart_id, form_int(form, "variant_id"), quantity)
            return see_other(page, "/cart", cookies)

    class CheckoutPages(Controller):
        """Checkout: review prices, give contact and address, choose delivery and payment, confirm."""

        include_in_schema = False
        guards = [shared_guards.authenticated]

        async def _render(
            self,
            db: asyncpg.Connection,
            request: Request[Any, Any, Any],
            page: PageRenderer,
            principal: Any,
            values: dict[str, Any],
            errors: list[Any],
            status_code: int = 200,
        ) -> Response[Any]:
            quote = await quote_cart(db, await current_cart_id(db, request, principal))
            raw_province = str(values.get("province_code") or "")
            province = int(raw_province) if raw_province.isdigit() else DEFAULT_PROVINCE_CODE
            return page.render(
                "marketplace/checkout.html",
                {
                    "quote": quote,
                    "values": values,
                    "errors": errors,
                    "provinces": province_choices(),
                    "communes": commune_choices(province),
                    "province": province,
                    "payment_methods": await offered_payment_methods(
                        db, request, [g.merchant_id for g in quote.groups]
                    ),
                },
                status_code=status_code,
                headers=NO_STORE,
            )

        @get("/checkout", name="marketplace.checkout")
        async def show(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """The checkout form; `?province_code=` reloads the commune list without JavaScript."""
            values = {
                "contact_name": getattr(principal, "display_name", ""),
                "contact_email": getattr(principal, "email", "") or "",
            }
            values.update({k: v for k, v in request.query_params.items() if k in ("province_code", "commune_code")})
            return await self._render(db, request, page, principal, values, [])

        @post("/checkout", name="marketplace.checkout_place")
        async def place(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """Place the orders; on a price change or a mistake, show the form again with the reason."""
            form = await request.form()
            values = {key: form.get(key) for key in form}
            cart_id = await current_cart_id(db, request, principal)
            quote = await quote_cart(db, cart_id)
            try:
                data = _checkout_form(form, [g.merchant_id for g in quote.groups])
            except msgspec.ValidationError as error:
                return await self._render(db, request, page, principal, values, [_field_message(error)], 422)
            # A savepoint: a refused checkout (sold out, price changed) rolls back its partial reservations
            # while the page that explains it is still rendered in this request.
            savepoint = db.transaction()
            await savepoint.start()
            try:
                methods = await offered_payment_methods(db, request, [g.merchant_id for g in quote.groups])
                placed = await place_checkout(db, principal, cart_id, data, payment_methods=methods)
            except AppError as error:
                await savepoint.rollback()
                return await self._render(db, request, page, principal, values, error_lines(error), error.status_code)
            await savepoint.commit()
            if placed.status == "pending_payment":
                # Online methods continue on the payments package's page for this checkout.
                return see_other(page, f"/payments/checkouts/{placed.checkout_id}")
            return see_other(page, f"/orders?checkout={placed.checkout_id}")

    class OrderPages(Controller):
        """The buyer's orders and the order page shared by buyer and merchant."""

        include_in_schema = False
        guards = [shared_guards.authenticated]

        @get("/orders", name="marketplace.orders")
        async def orders(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """My orders; after a checkout, the orders it created first."""
            checkout = request.query_params.get("checkout")
            placed = (
                await service.list_checkout_orders(db, principal, int(checkout))
                if checkout and checkout.isdigit()
                else []
            )
            return page.render(
                "marketplace/orders.html",
                {"placed": placed, "orders": await service.list_buyer_orders(db, principal)},
                headers=NO_STORE,
            )

        @get("/orders/{order_id:int}", name="marketplace.order")
        async def order(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            order_id: FromPath[int],
        ) -> Any:
            """One order: lines, delivery, history, and the actions this person may take."""
            order = await service.get_order_for(db, principal, order_id)
            return page.render("marketplace/order.html", await _order_context(db, principal, order), headers=NO_STORE)

        @get("/orders/{order_id:int}/packing-slip", name="marketplace.packing_slip")
        async def packing_slip(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            order_id: FromPath[int],
        ) -> Any:
            """A printable packing slip for the merchant."""
            order = await service.get_order_for(db, principal, order_id)
            await merchant_access(db, principal, order.merchant_id)
            return page.render(
                "marketplace/packing_slip.html",
                {
                    "order": order,
                    "commune": commune_name(order.commune_code),
                    "province": province_name(order.province_code),
                },
                headers=NO_STORE,
            )

        @post("/orders/{order_id:int}/status", name="marketplace.order_status")
        async def change_status(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            order_id: FromPath[int],
        ) -> Redirect:
            """Move the order (ship, deliver, complete, cancel), as far as this person may."""
            form = await request.form()
            reason = (form.get("reason") or "").strip()[:500] or None
            await service.change_status_as(db, principal, order_id, str(form.get("status", ""))[:32], reason)
            return see_other(page, f"/orders/{order_id}")

        @post("/orders/{order_id:int}/reviews", name="marketplace.review_create")
        async def review(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            order_id: FromPath[int],
        ) -> Redirect:
            """Review a product of a delivered order."""
            form = await request.form()
            try:
                data = msgspec.convert(
                    {
                        "order_id": order_id,
                        "product_id": form.get("product_id"),
                        "rating": form.get("rating"),
                        "body": form.get("body", ""),
                    },
                    ReviewCreate,
                    strict=False,
                )
            except msgspec.ValidationError as error:
                raise BadRequest(FORM_ERROR, code="bad_review", details={"field": _field_message(error)[1]}) from None
            await reviews.create_review(db, principal, data)
            return see_other(page, f"/orders/{order_id}")

        @post("/reviews/{review_id:int}/reply", name="marketplace.review_reply")
        async def reply(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            review_id: FromPath[int],
        ) -> Redirect:
            """The merchant's one reply to a review."""
            form = await request.form()
            text = str(form.get("reply", "")).strip()
            if not text or len(text) > 2000:
                raise BadRequest("Write a reply of at most 2000 characters.", code="bad_reply")
            review = await reviews.reply_to_review(db, principal, review_id, ReplyCreate(text))
            return see_other(page, f"/orders/{review.order_id}")

    return [CartPages, CheckoutPages, OrderPages]


def _field_message(error: msgspec.ValidationError) -> tuple[str, str]:
    # msgspec says e.g. "Expected `str` of length >= 1 - at `$.contact_name`"; the field is what helps.
    text = str(error)
    field = text.rsplit("`$.", 1)[-1].rstrip("`").split("[")[0] if "`$." in text else ""
    return FORM_ERROR, field


async def _order_context(db: asyncpg.Connection, principal: Any, order: Any) -> dict[str, Any]:
    user_id = getattr(principal, "user_id", None)
    is_buyer = order.buyer_user_id == user_id
    try:
        await merchant_access(db, principal, order.merchant_id)
        is_merchant = True
    except AppError:
        is_merchant = False
    actions = sorted(
        {to for (frm, to) in BUYER_TRANSITIONS if is_buyer and frm == order.status}
        | {to for (frm, to) in MERCHANT_TRANSITIONS if is_merchant and frm == order.status}
    )
    existing = {
        r.product_id: r
        for r in await reviews.list_merchant_reviews(db, order.merchant_id, limit=100)
        if r.order_id == order.id
    }
    return {
        "order": order,
        "is_buyer": is_buyer,
        "is_merchant": is_merchant,
        "actions": actions,
        "commune": commune_name(order.commune_code),
        "province": province_name(order.province_code),
        "can_review": is_buyer and order.status in reviews.REVIEWABLE_STATUSES,
        "reviews": existing,
    }
