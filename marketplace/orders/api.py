"""JSON API of the cart, checkout, orders and reviews."""

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.carts import service as carts
from marketplace.carts.models import CartItemIn, CartLine, QuantityIn
from marketplace.carts.web import cart_for_update, current_cart_id, offered_payment_methods
from marketplace.orders import service
from marketplace.orders.checkout import place_checkout, quote_cart
from marketplace.orders.models import CheckoutForm, Order, OrderSummary, PlacedCheckout, StatusChange
from marketplace.platform.principal import Principal
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, Review, ReviewCreate

__all__ = ["order_api_handlers", "CartView", "QuoteView"]

Cursor = Annotated[int | None, QueryParameter(ge=1, description="Pass the last id of the previous page.")]


class QuoteGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One merchant's part of the cart."""

    merchant_id: int
    merchant_slug: str
    subtotal: int
    delivery_methods: list[str]
    delivery_fee: int | None
    lines: list[CartLine]


class QuoteView(msgspec.Struct, frozen=True, kw_only=True):
    """The cart at today's prices; send `signature` back with the checkout to confirm these prices."""

    groups: list[QuoteGroup]
    subtotal: int
    currency: str = "VND"
    signature: str
    price_changes: list[CartLine]
    problems: list[CartLine]
    payment_methods: list[str]


CartView = QuoteView


async def _quote_view(db: asyncpg.Connection, cart_id: int | None, request: Request[Any, Any, Any]) -> QuoteView:
    quote = await quote_cart(db, cart_id)
    groups = [
        QuoteGroup(
            merchant_id=g.merchant_id,
            merchant_slug=g.merchant_slug,
            subtotal=g.subtotal,
            delivery_methods=g.delivery_methods,
            delivery_fee=g.delivery_fee,
            lines=g.lines,
        )
        for g in quote.groups
    ]
    return QuoteView(
        groups=groups,
        subtotal=quote.subtotal,
        signature=quote.signature,
        price_changes=quote.changed_lines,
        problems=quote.problems,
        payment_methods=await offered_payment_methods(db, request, [g.merchant_id for g in quote.groups]),
    )


def order_api_handlers(guards: Any) -> list[Any]:
    """Controllers for cart, checkout, orders and reviews."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class CartApi(Controller):
        """The visitor's cart (a cookie for visitors, the account's cart once signed in)."""

        path = "/cart"
        tags = ["cart"]

        @get("/")
        async def show(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
        ) -> QuoteView:
            """The cart at today's prices."""
            return await _quote_view(db, await current_cart_id(db, request, principal), request)

        @post("/items")
        async def add(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[CartItemIn],
        ) -> Response[QuoteView]:
            """Add a variant (or more of it)."""
            cart_id, cookies = await cart_for_update(db, request, principal)
            await carts.add_item(db, cart_id, data.variant_id, data.quantity)
            return Response(await _quote_view(db, cart_id, request), status_code=201, cookies=cookies)

        @put("/items/{variant_id:int}")
        async def set_quantity(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            variant_id: FromPath[int],
            data: JSONBody[QuantityIn],
        ) -> QuoteView:
            """Set a line's quantity (0 removes it)."""
            cart_id, _ = await cart_for_update(db, request, principal)
            await carts.update_quantity(db, cart_id, variant_id, data.quantity)
            return await _quote_view(db, cart_id, request)

        @delete("/items/{variant_id:int}", status_code=200)
        async def remove(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            variant_id: FromPath[int],
        ) -> QuoteView:
            """Remove a line."""
            cart_id, _ = await cart_for_update(db, request, principal)
            await carts.update_quantity(db, cart_id, variant_id, 0)
            return await _quote_view(db, cart_id, request)

    class CheckoutApi(Controller):
        """Checkout: one order per merchant, stock reserved at once."""

        path = "/checkout"
        tags = ["checkout"]
        guards = [shared_guards.authenticated]

        @post("/")
        async def checkout(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[CheckoutForm],
        ) -> PlacedCheckout:
            """Place the cart; 409 price_changed (with the new signature) when prices moved since the quote."""
            cart_id = await current_cart_id(db, request, principal)
            quote = await quote_cart(db, cart_id)
            methods = await offered_payment_methods(db, request, [g.merchant_id for g in quote.groups])
            return await place_checkout(db, principal, cart_id, data, payment_methods=methods)

    class OrdersApi(Controller):
        """Orders: the buyer's own, or a merchant's (see /manage/merchants/{id}/orders)."""

        path = "/orders"
        tags = ["orders"]
        guards = [shared_guards.authenticated]

        @get("/")
        async def mine(
            self,
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            before: Cursor = None,
        ) -> list[OrderSummary]:
            """My orders, newest first."""
            return await service.list_buyer_orders(db, principal, before_id=before)

        @get("/{order_id:int}")
        async def get_order(
            self,
            db: NamedDependency[asyncpg.Connection],
            order_id: FromPath[int],
            principal: NamedDependency[Principal | None],
        ) -> Order:
            """An order for its buyer or its merchant."""
            return await service.get_order_for(db, principal, order_id)

        @post("/{order_id:int}/status", status_code=200)
        async def change_status(
            self,
            db: NamedDependency[asyncpg.Connection],
            order_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            data: JSONBody[StatusChange],
        ) -> Order:
            """Move the order along its state machine, as far as the caller may."""
            return await service.change_status_as(db, principal, order_id, data.status, data.reason)

    class MerchantOrdersApi(Controller):
        """A merchant's orders."""

        path = "/manage/merchants/{merchant_id:int}/orders"
        tags = ["merchant"]
        guards = [shared_guards.authenticated]

        @get("/")
        async def list_orders(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            status: Annotated[str | None, QueryParameter(max_length=32)] = None,
            before: Cursor = None,
        ) -> list[OrderSummary]:
            """The merchant's orders, newest first, optionally of one status."""
            return await service.list_merchant_orders(db, principal, merchant_id, status=status, before_id=before)

    class ReviewsApi(Controller):
        """Reviews by buyers and replies by merchants."""

        path = "/reviews"
        tags = ["reviews"]
        guards = [shared_guards.authenticated]

        @post("/")
        async def create(
            self,
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[ReviewCreate],
        ) -> Review:
            """Review a product of a delivered order of mine."""
            return await reviews.create_review(db, principal, data)

        @post("/{review_id:int}/reply")
        async def reply(
            self,
            db: NamedDependency[asyncpg.Connection],
            review_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            data: JSONBody[ReplyCreate],
        ) -> Review:
            """The merchant's one reply."""
            return await reviews.reply_to_review(db, principal, review_id, data)

    return [CartApi, CheckoutApi, OrdersApi, MerchantOrdersApi, ReviewsApi]
