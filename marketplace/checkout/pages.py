"""HTML pages of the cart and checkout: review prices, give contact and address, choose delivery and payment.

A refused cart change (sold out, no longer for sale) shows the cart again with the reason; a refused checkout
(prices changed, a mistyped field) shows the checkout form again with what was typed.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency

from i18n.forms import FormInvalid, decode_form
from marketplace.carts import service as carts
from marketplace.carts.models import CartItemIn, CartLineForm
from marketplace.carts.web import cart_for_update, current_cart_id
from marketplace.checkout import service
from marketplace.checkout.models import (
    CheckoutForm,
    DeliveryChoice,
    DeliveryMethod,
    PlacedCheckout,
    ProvinceChoice,
    Quote,
)
from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, province_choices
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, FormAgain, see_other, submit_form

__all__ = ["router", "CartPages", "CheckoutPages"]

T = TypeVar("T")


def _cart_again(db: asyncpg.Connection, request: Request[Any, Any, Any], page: PageRenderer,
                principal: Principal | None) -> FormAgain:
    """Show the cart again with the reason a change was refused."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        quote = await service.quote_cart(db, await current_cart_id(db, request, principal))
        return page.render("marketplace/cart.html", {"quote": quote, "errors": errors}, status_code=status,
                           headers=NO_STORE)

    return again


async def _change_cart(db: asyncpg.Connection, request: Request[Any, Any, Any], page: PageRenderer,
                       principal: Principal | None, model: type[T],
                       change: Callable[[int, T], Awaitable[None]]) -> Response[Any]:
    """Read a cart form into `model` and `change` the cart with it, then show the cart (again, on a refusal)."""
    async def save(data: T) -> Response[Any]:
        # A visitor's first line creates their cart: its cookie is set only once the change is made.
        cart_id, cookies = await cart_for_update(db, request, principal)
        await change(cart_id, data)
        return see_other(page, "/cart", cookies)

    return await submit_form(db, page, await request.form(), model, save, _cart_again(db, request, page, principal))


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
        quote = await service.quote_cart(db, await current_cart_id(db, request, principal))
        return page.render("marketplace/cart.html", {"quote": quote}, headers=NO_STORE)

    @post("/cart/add", name="marketplace.cart_add")
    async def add(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                  page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None]) -> Response:
        """Add to cart from a product page, then show the cart."""
        async def add_line(cart_id: int, data: CartItemIn) -> None:
            await carts.add_item(db, cart_id, data.variant_id, data.quantity)

        return await _change_cart(db, request, page, principal, CartItemIn, add_line)

    @post("/cart/update", name="marketplace.cart_update")
    async def update(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                     page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None]) -> Response:
        """Change a line's quantity (0 or the remove button removes it)."""
        async def set_quantity(cart_id: int, data: CartLineForm) -> None:
            await carts.update_quantity(db, cart_id, data.variant_id, data.new_quantity)

        return await _change_cart(db, request, page, principal, CartLineForm, set_quantity)

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


def _next_page(placed: PlacedCheckout) -> str:
    """Online methods continue on the payments package's page for this checkout; cash goes to the orders."""
    if placed.status == "pending_payment":
        return f"/payments/checkouts/{placed.checkout_id}"
    return f"/orders?checkout={placed.checkout_id}"


def _checkout_again(db: asyncpg.Connection, request: Request[Any, Any, Any], page: PageRenderer,
                    principal: Principal | None, providers: Sequence[PaymentProvider],
                    payment_settings: PaymentSettings) -> FormAgain:
    """The checkout form with the cart priced now, filled with `values`, listing `errors`."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        quote = await service.quote_cart(db, await current_cart_id(db, request, principal))
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
                "payment_methods": await service.offered_payment_methods(
                    db, providers, payment_settings, quote.merchant_ids),
            },
            status_code=status,
            headers=NO_STORE,
        )

    return again


class CheckoutPages(Controller):
    """Checkout: review prices, give contact and address, choose delivery and payment, confirm."""

    include_in_schema = False
    dependencies = payment_dependencies()
    opt = {"signed_in": True}

    @get("/checkout", name="marketplace.checkout")
    async def show(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        page: NamedDependency[PageRenderer],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
    ) -> Any:
        """The checkout form; `?province_code=` reloads the commune list without JavaScript."""
        values = {
            "contact_name": getattr(principal, "display_name", ""),
            "contact_email": getattr(principal, "email", "") or "",
        }
        values.update({k: v for k, v in request.query_params.items() if k in ("province_code", "commune_code")})
        form_again = _checkout_again(db, request, page, principal, payment_providers, payment_settings)
        return await form_again(values, [], 200)

    @post("/checkout", name="marketplace.checkout_place")
    async def place(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        page: NamedDependency[PageRenderer],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
    ) -> Response:
        """Place the orders; on a price change or a mistake, show the form again with the reason."""
        form = await request.form()
        cart_id = await current_cart_id(db, request, principal)
        quote = await service.quote_cart(db, cart_id)

        async def save(data: CheckoutForm) -> str:
            placed = await service.checkout_cart(db, principal, cart_id, data, payment_providers, payment_settings)
            return _next_page(placed)

        # submit_form runs `save` in a savepoint: a refused checkout (sold out, price changed) rolls back its
        # partial reservations while the page that explains it is still rendered in this request.
        return await submit_form(
            db, page, form, CheckoutForm, save,
            _checkout_again(db, request, page, principal, payment_providers, payment_settings),
            delivery=_delivery(form, quote),
        )


router = Router(path="/", route_handlers=[CartPages, CheckoutPages])
