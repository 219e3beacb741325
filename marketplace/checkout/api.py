"""JSON API of the cart (priced as checkout will price it) and of checkout."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from marketplace.carts import service as carts
from marketplace.carts.models import CartItemIn, QuantityIn
from marketplace.carts.web import cart_for_update, current_cart_id
from marketplace.checkout import service
from marketplace.checkout.models import CheckoutForm, PlacedCheckout, QuoteView
from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.principal import Principal

__all__ = ["router", "CartApi", "CheckoutApi"]


class CartApi(Controller):
    """The visitor's cart (a cookie for visitors, the account's cart once signed in)."""

    path = "/cart"
    tags = ["cart"]
    dependencies = payment_dependencies()

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
    ) -> QuoteView:
        """The cart at today's prices."""
        cart_id = await current_cart_id(db, request, principal)
        return await service.cart_view(db, cart_id, payment_providers, payment_settings)

    @post("/items")
    async def add(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
        data: JSONBody[CartItemIn],
    ) -> Response[QuoteView]:
        """Add a variant (or more of it)."""
        cart_id, cookies = await cart_for_update(db, request, principal)
        await carts.add_item(db, cart_id, data.variant_id, data.quantity)
        view = await service.cart_view(db, cart_id, payment_providers, payment_settings)
        return Response(view, status_code=201, cookies=cookies)

    @put("/items/{variant_id:int}")
    async def set_quantity(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
        variant_id: FromPath[int],
        data: JSONBody[QuantityIn],
    ) -> QuoteView:
        """Set a line's quantity (0 removes it)."""
        cart_id, _ = await cart_for_update(db, request, principal)
        await carts.update_quantity(db, cart_id, variant_id, data.quantity)
        return await service.cart_view(db, cart_id, payment_providers, payment_settings)

    @delete("/items/{variant_id:int}", status_code=200)
    async def remove(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
        variant_id: FromPath[int],
    ) -> QuoteView:
        """Remove a line."""
        cart_id, _ = await cart_for_update(db, request, principal)
        await carts.update_quantity(db, cart_id, variant_id, 0)
        return await service.cart_view(db, cart_id, payment_providers, payment_settings)


class CheckoutApi(Controller):
    """Checkout: one order per merchant, stock reserved at once."""

    path = "/checkout"
    tags = ["checkout"]
    dependencies = payment_dependencies()
    opt = {"signed_in": True}

    @post("/")
    async def checkout(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        payment_providers: NamedDependency[list[PaymentProvider]],
        payment_settings: NamedDependency[PaymentSettings],
        data: JSONBody[CheckoutForm],
    ) -> PlacedCheckout:
        """Place the cart; 409 price_changed (with the new signature) when prices moved since the quote."""
        cart_id = await current_cart_id(db, request, principal)
        return await service.checkout_cart(db, principal, cart_id, data, payment_providers, payment_settings)


router = Router(path="/", route_handlers=[CartApi, CheckoutApi])
