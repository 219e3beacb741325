"""HTML pages of the cart and checkout: review prices, give contact and address, choose delivery and payment.

A refused cart change (sold out, no longer for sale) shows the cart again with the reason; a refused checkout
(prices changed, a mistyped field) shows the checkout form again with what was typed.
"""

import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import msgspec
from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency

from i18n.forms import FormInvalid, decode_form
from marketplace.carts import service as carts
from marketplace.carts.models import CartItemIn, CartLineForm
from marketplace.checkout import service
from marketplace.checkout.models import (
    CheckoutForm,
    DeliveryChoice,
    DeliveryMethod,
    PlacedCheckout,
    ProvinceChoice,
    Quote,
)
from marketplace.checkout.web import Shopper, shopper_dependencies
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, province_choices
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, FormAgain, see_other, submit_form

__all__ = ["router", "CartPages", "CheckoutPages"]

T = TypeVar("T")


def _cart_again(shopper: Shopper, page: PageRenderer) -> FormAgain:
    """Show the cart again with the reason a change was refused."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        return page.render("marketplace/cart.html", {"quote": await shopper.quote(), "errors": errors},
                           status_code=status, headers=NO_STORE)

    return again


async def _change_cart(shopper: Shopper, page: PageRenderer, model: type[T],
                       change: Callable[[int, T], Awaitable[None]]) -> Response[Any]:
    """Read a cart form into `model` and `change` the cart with it, then show the cart (again, on a refusal)."""
    async def save(data: T) -> Response[Any]:
        # A visitor's first line creates their cart: its cookie is set only once the change is made.
        cart_id, cookies = await shopper.cart_for_update()
        await change(cart_id, data)
        return see_other(page, "/cart", cookies)

    form = await shopper.request.form()
    return await submit_form(shopper.db, page, form, model, save, _cart_again(shopper, page))


class CartPages(Controller):
    """The cart, for visitors and signed-in users alike."""

    include_in_schema = False
    dependencies = shopper_dependencies()

    @get("/cart", name="marketplace.cart")
    async def cart(self, shopper: NamedDependency[Shopper], page: NamedDependency[PageRenderer]) -> Any:
        """The cart with today's prices and what changed since each line was added."""
        return page.render("marketplace/cart.html", {"quote": await shopper.quote()}, headers=NO_STORE)

    @post("/cart/add", name="marketplace.cart_add")
    async def add(self, shopper: NamedDependency[Shopper], page: NamedDependency[PageRenderer]) -> Response:
        """Add to cart from a product page, then show the cart."""
        async def add_line(cart_id: int, data: CartItemIn) -> None:
            await carts.add_item(shopper.db, cart_id, data.variant_id, data.quantity)

        return await _change_cart(shopper, page, CartItemIn, add_line)

    @post("/cart/update", name="marketplace.cart_update")
    async def update(self, shopper: NamedDependency[Shopper], page: NamedDependency[PageRenderer]) -> Response:
        """Change a line's quantity (0 or the remove button removes it)."""
        async def set_quantity(cart_id: int, data: CartLineForm) -> None:
            await carts.update_quantity(shopper.db, cart_id, data.variant_id, data.new_quantity)

        return await _change_cart(shopper, page, CartLineForm, set_quantity)


def _province(values: Mapping[str, Any]) -> int:
    """The province whose communes the form lists (`?province_code=` reloads them without JavaScript)."""
    try:
        chosen = decode_form(values, ProvinceChoice).province_code
    except FormInvalid:
        chosen = None
    return chosen or DEFAULT_PROVINCE_CODE


def _delivery(form: Mapping[str, Any], quote: Quote) -> list[DeliveryChoice]:
    """Each shop's delivery method from its radio buttons (`delivery_<merchant id>`); pickup when none is sent."""
    return [DeliveryChoice(g.merchant_id, cast(DeliveryMethod, form.get(f"delivery_{g.merchant_id}", "pickup")))
            for g in quote.groups]


def _checkout_token(values: Mapping[str, Any]) -> str:
    """The form's one-time token (kept when the form is shown again), or a new one."""
    token = values.get("checkout_token")
    if isinstance(token, str) and 16 <= len(token) <= 64 and token.isascii() and token.isprintable():
        return token
    return secrets.token_urlsafe(24)


def _next_page(placed: PlacedCheckout) -> str:
    """Online methods continue on the payments package's page for this checkout; cash goes to the orders."""
    if placed.status == "pending_payment":
        return f"/payments/checkouts/{placed.checkout_id}"
    return f"/orders?checkout={placed.checkout_id}"


def _checkout_again(shopper: Shopper, page: PageRenderer) -> FormAgain:
    """The checkout form with the cart priced now, filled with `values`, listing `errors`."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        quote = await shopper.quote()
        province = _province(values)
        return page.render(
            "marketplace/checkout.html",
            {
                "quote": quote,
                "values": values,
                "errors": errors,
                "provinces": province_choices(),
                "communes": commune_choices(province),
                "province": province,
                "payment_methods": await shopper.payment_methods(quote),
                # One-time token of this form: a double submit places one checkout and both see it.
                "checkout_token": _checkout_token(values),
            },
            status_code=status,
            headers=NO_STORE,
        )

    return again


class CheckoutPages(Controller):
    """Checkout: review prices, give contact and address, choose delivery and payment, confirm."""

    include_in_schema = False
    dependencies = shopper_dependencies()
    opt = {"signed_in": True}

    @get("/checkout", name="marketplace.checkout")
    async def show(self, shopper: NamedDependency[Shopper], page: NamedDependency[PageRenderer]) -> Any:
        """The checkout form; `?province_code=` reloads the commune list without JavaScript."""
        values = {
            "contact_name": getattr(shopper.principal, "display_name", ""),
            "contact_email": getattr(shopper.principal, "email", "") or "",
        }
        chosen = shopper.request.query_params.items()
        values.update({k: v for k, v in chosen if k in ("province_code", "commune_code")})
        return await _checkout_again(shopper, page)(values, [], 200)

    @post("/checkout", name="marketplace.checkout_place")
    async def place(self, shopper: NamedDependency[Shopper], page: NamedDependency[PageRenderer]) -> Response:
        """Place the orders; on a price change or a mistake, show the form again with the reason."""
        form = await shopper.request.form()
        cart_id = await shopper.cart_id()
        quote = await service.quote_cart(shopper.db, cart_id)

        async def save(data: CheckoutForm) -> str:
            key = _checkout_token(form)
            # The fields as sent identify a repeat (the delivery choices read from the cart would not: a repeat
            # finds the cart already emptied by the first submission).
            sent = sorted((k, str(v)) for k, v in form.items() if k != "_csrf_token")
            return _next_page(await shopper.place(cart_id, data, quote, idempotency_key=f"form:{key}",
                                                  request=msgspec.json.encode(sent)))

        # submit_form runs `save` in a savepoint: a refused checkout (sold out, price changed) rolls back its
        # partial reservations while the page that explains it is still rendered in this request.
        return await submit_form(shopper.db, page, form, CheckoutForm, save, _checkout_again(shopper, page),
                                 delivery=_delivery(form, quote))


router = Router(path="/", route_handlers=[CartPages, CheckoutPages])
