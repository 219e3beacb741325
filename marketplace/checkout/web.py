"""The visitor at the till, as one dependency of the cart and checkout routes (API and pages).

Every cart and checkout route needs the same five things (the request's cookies, its connection, who is
signed in, the payment providers and the payment settings); `shopper` bundles them with the few steps the
routes take, so a route names one dependency instead of five.
"""

from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide

from marketplace.carts.web import cart_for_update, current_cart_id
from marketplace.checkout import service
from marketplace.checkout.models import CheckoutForm, PlacedCheckout, Quote, QuoteView
from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of

__all__ = ["Shopper", "shopper_dependencies"]


class Shopper:
    """One request's visitor: their cart (the account's when signed in, else the cookie's) and what they may pay
    with."""

    def __init__(self, db: asyncpg.Connection, request: Request[Any, Any, Any], principal: Principal | None,
                 providers: Sequence[PaymentProvider], payment_settings: PaymentSettings) -> None:
        self.db = db
        self.request = request
        self.principal = principal
        self.providers = providers
        self.payment_settings = payment_settings

    async def cart_id(self) -> int | None:
        """The cart of this request, without creating one."""
        return await current_cart_id(self.db, self.request, self.principal)

    async def cart_for_update(self) -> tuple[int, list[Cookie]]:
        """The cart to change, created on first use, with the cookie to set for a new visitor's cart."""
        return await cart_for_update(self.db, self.request, self.principal)

    async def quote(self) -> Quote:
        """The cart priced now."""
        return await service.quote_cart(self.db, await self.cart_id())

    async def view(self, cart_id: int | None) -> QuoteView:
        """The cart as the API shows it, with the payment methods a checkout of it offers."""
        return await service.cart_view(self.db, cart_id, self.providers, self.payment_settings)

    async def payment_methods(self, quote: Quote) -> list[str]:
        """The payment methods a checkout of this quote offers."""
        return await service.offered_payment_methods(self.db, self.providers, self.payment_settings,
                                                     quote.merchant_ids)

    async def place(self, cart_id: int | None, form: CheckoutForm, quote: Quote | None = None, *,
                    idempotency_key: str | None = None, request: bytes | None = None) -> PlacedCheckout:
        """Place the cart with one of the payment methods it offers now (`quote`: the cart as already priced);
        once per `idempotency_key`, a repeat of the same `request` (default: the form) getting the first
        answer."""
        async def place() -> PlacedCheckout:
            limits = service.BuyerLimits.from_settings(runtime_of(self.request.app.state).settings)
            return await service.checkout_cart(self.db, self.principal, cart_id, form, self.providers,
                                               self.payment_settings, quote=quote, limits=limits)

        return await service.once_per_key(self.db, self.principal, idempotency_key,
                                          request if request is not None else msgspec.json.encode(form), place)


async def provide_shopper(
    request: Request[Any, Any, Any],
    db: NamedDependency[asyncpg.Connection],
    principal: NamedDependency[Principal | None],
    payment_providers: NamedDependency[list[PaymentProvider]],
    payment_settings: NamedDependency[PaymentSettings],
) -> Shopper:
    return Shopper(db, request, principal, payment_providers, payment_settings)


def shopper_dependencies() -> dict[str, Provide]:
    """`shopper`, with the payment dependencies it is built from."""
    return {**payment_dependencies(), "shopper": Provide(provide_shopper)}
