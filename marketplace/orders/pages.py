"""HTML pages of orders (buyer and merchant), packing slips, status changes and reviews.

A refused form (a step this person may not take, a review of an undelivered order) shows the order again with
the reason and the error's status; an order this person may not see is a 404.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n.forms import FormInvalid, decode_form
from marketplace.orders import service
from marketplace.orders.models import CheckoutChoice, OrderChoice, StatusChange
from marketplace.platform.divisions import commune_name, province_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, FormAgain, submit_form
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, ReviewCreate

__all__ = ["router", "OrderPages"]

T = TypeVar("T")


async def _order_page(db: asyncpg.Connection, principal: Principal | None, page: PageRenderer, order_id: int,
                      errors: Sequence[tuple[str, str]] = (), status: int = 200) -> Response[Any]:
    """One order with the steps this person may take, and the messages of a refused form."""
    view = await service.order_view_for(db, principal, order_id)
    order = view.order
    return page.render(
        "marketplace/order.html",
        {
            "order": order,
            "is_buyer": view.is_buyer,
            "is_merchant": view.is_merchant,
            "actions": view.actions,
            "commune": commune_name(order.commune_code),
            "province": province_name(order.province_code),
            "can_review": view.is_buyer and order.status in reviews.REVIEWABLE_STATUSES,
            "reviews": {review.product_id: review for review in await reviews.list_order_reviews(db, order.id)},
            "errors": list(errors),
        },
        status_code=status,
        headers=NO_STORE,
    )


def _order_again(db: asyncpg.Connection, principal: Principal | None, page: PageRenderer,
                 order_id: int | None = None) -> FormAgain:
    """Show the order again after a refused form; without an id, the order the form names in `order_id`."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        shown = order_id
        if shown is None:
            try:
                shown = decode_form(values, OrderChoice).order_id
            except FormInvalid:
                shown = None
        # No order to show (a form without its hidden field): its id 0 is a 404, as for an order not one's own.
        return await _order_page(db, principal, page, shown or 0, errors, status)

    return again


async def _act_on_order(db: asyncpg.Connection, request: Request[Any, Any, Any], page: PageRenderer,
                        principal: Principal | None, order_id: int, model: type[T],
                        act: Callable[[T], Awaitable[None]], known: Mapping[str, Any] | None = None) -> Response[Any]:
    """Read a form about an order into `model` (with the `known` values), `act` with it, and show the order
    (again, on a refusal)."""
    async def save(data: T) -> str:
        await act(data)
        return f"/orders/{order_id}"

    return await submit_form(db, page, await request.form(), model, save,
                             _order_again(db, principal, page, order_id), **(known or {}))


class OrderPages(Controller):
    """The buyer's orders and the order page shared by buyer and merchant."""

    include_in_schema = False
    opt = {"signed_in": True}

    @get("/orders", name="marketplace.orders")
    async def orders(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                     page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None]) -> Any:
        """My orders; after a checkout, the orders it created first."""
        try:
            checkout = decode_form(request.query_params, CheckoutChoice).checkout
        except FormInvalid:
            checkout = None  # a mangled link still shows the orders
        placed = await service.list_checkout_orders(db, principal, checkout) if checkout else []
        return page.render(
            "marketplace/orders.html",
            {"placed": placed, "orders": await service.list_buyer_orders(db, principal)},
            headers=NO_STORE,
        )

    @get("/orders/{order_id:int}", name="marketplace.order")
    async def order(self, db: NamedDependency[asyncpg.Connection], page: NamedDependency[PageRenderer],
                    principal: NamedDependency[Principal | None], order_id: FromPath[int]) -> Any:
        """One order: lines, delivery, history, and the actions this person may take."""
        return await _order_page(db, principal, page, order_id)

    @get("/orders/{order_id:int}/packing-slip", name="marketplace.packing_slip")
    async def packing_slip(self, db: NamedDependency[asyncpg.Connection], page: NamedDependency[PageRenderer],
                           principal: NamedDependency[Principal | None], order_id: FromPath[int]) -> Any:
        """A printable packing slip for the merchant."""
        order = await service.get_order_for_merchant(db, principal, order_id)
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
    async def change_status(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                            page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None],
                            order_id: FromPath[int],
                            refunder: NamedDependency[service.CancellationRefunder]) -> Response:
        """Move the order (ship, deliver, complete, cancel), as far as this person may; cancelling a paid order
        refunds it."""
        async def change(data: StatusChange) -> None:
            await service.change_status_as(db, principal, order_id, data.status, data.reason, refunder=refunder)

        return await _act_on_order(db, request, page, principal, order_id, StatusChange, change)

    @post("/orders/{order_id:int}/reviews", name="marketplace.review_create")
    async def review(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                     page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None],
                     order_id: FromPath[int]) -> Response:
        """Review a product of a delivered order."""
        async def create(data: ReviewCreate) -> None:
            await reviews.create_review(db, principal, data)

        return await _act_on_order(db, request, page, principal, order_id, ReviewCreate, create,
                                   known={"order_id": order_id})

    @post("/reviews/{review_id:int}/reply", name="marketplace.review_reply")
    async def reply(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                    page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None],
                    review_id: FromPath[int]) -> Response:
        """The merchant's one reply to a review."""
        async def save(data: ReplyCreate) -> str:
            review = await reviews.reply_to_review(db, principal, review_id, data)
            return f"/orders/{review.order_id}"

        # The order is known only once the reply is saved: a refused one shows the order the form names.
        return await submit_form(db, page, await request.form(), ReplyCreate, save,
                                 _order_again(db, principal, page))

router = Router(path="/", route_handlers=[OrderPages])
