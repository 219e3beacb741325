"""JSON API of orders (the buyer's and a merchant's) and of reviews."""

from typing import Annotated

import asyncpg
from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.orders import service
from marketplace.orders.models import Order, OrderSummary, StatusChange
from marketplace.platform.principal import Principal
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, Review, ReviewCreate

__all__ = ["router", "OrdersApi", "MerchantOrdersApi", "ReviewsApi"]

Cursor = Annotated[int | None, QueryParameter(ge=1, description="Pass the last id of the previous page.")]


class OrdersApi(Controller):
    """Orders: the buyer's own, or a merchant's (see /manage/merchants/{id}/orders)."""

    path = "/orders"
    tags = ["orders"]
    opt = {"signed_in": True}

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
        refunder: NamedDependency[service.CancellationRefunder],
    ) -> Order:
        """Move the order along its state machine, as far as the caller may; cancelling a paid order refunds it
        through its payment's provider (the order ends `refunded`)."""
        return await service.change_status_as(db, principal, order_id, data.status, data.reason, refunder=refunder)


class MerchantOrdersApi(Controller):
    """A merchant's orders."""

    path = "/manage/merchants/{merchant_id:int}/orders"
    tags = ["merchant"]
    opt = {"signed_in": True}

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
    opt = {"signed_in": True}

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


router = Router(path="/", route_handlers=[OrdersApi, MerchantOrdersApi, ReviewsApi])
