"""JSON API of the cart (priced as checkout will price it) and of checkout."""

from typing import Annotated

from litestar import Controller, Response, Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from marketplace.carts import service as carts
from marketplace.carts.models import CartItemIn, QuantityIn
from marketplace.checkout.models import CheckoutForm, PlacedCheckout, QuoteView
from marketplace.checkout.web import Shopper, shopper_dependencies

__all__ = ["router", "CartApi", "CheckoutApi"]

IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="A key the client chooses per checkout (e.g. a UUID): repeats get the first answer.")]


class CartApi(Controller):
    """The visitor's cart (a cookie for visitors, the account's cart once signed in)."""

    path = "/cart"
    tags = ["cart"]
    dependencies = shopper_dependencies()

    @get("/")
    async def show(self, shopper: NamedDependency[Shopper]) -> QuoteView:
        """The cart at today's prices."""
        return await shopper.view(await shopper.cart_id())

    @post("/items", opt={"refusals": (404,)})
    async def add(self, shopper: NamedDependency[Shopper], data: JSONBody[CartItemIn]) -> Response[QuoteView]:
        """Add a variant (or more of it)."""
        cart_id, cookies = await shopper.cart_for_update()
        await carts.add_item(shopper.db, cart_id, data.variant_id, data.quantity)
        return Response(await shopper.view(cart_id), status_code=201, cookies=cookies)

    @put("/items/{variant_id:int}")
    async def set_quantity(self, shopper: NamedDependency[Shopper], variant_id: FromPath[int],
                           data: JSONBody[QuantityIn]) -> QuoteView:
        """Set a line's quantity (0 removes it)."""
        cart_id, _ = await shopper.cart_for_update()
        await carts.update_quantity(shopper.db, cart_id, variant_id, data.quantity)
        return await shopper.view(cart_id)

    @delete("/items/{variant_id:int}", status_code=200)
    async def remove(self, shopper: NamedDependency[Shopper], variant_id: FromPath[int]) -> QuoteView:
        """Remove a line."""
        cart_id, _ = await shopper.cart_for_update()
        await carts.update_quantity(shopper.db, cart_id, variant_id, 0)
        return await shopper.view(cart_id)


class CheckoutApi(Controller):
    """Checkout: one order per merchant, stock reserved at once."""

    path = "/checkout"
    tags = ["checkout"]
    dependencies = shopper_dependencies()
    opt = {"signed_in": True}

    @post("/")
    async def checkout(self, shopper: NamedDependency[Shopper], data: JSONBody[CheckoutForm],
                       idempotency_key: IdempotencyKey = None) -> PlacedCheckout:
        """Place the cart; 409 price_changed (with the new signature) when prices moved since the quote.

        With an `Idempotency-Key` header the checkout is placed once: a repeat of the same body gets the same
        answer (a concurrent one waits for the first), another body with the same key is 422."""
        return await shopper.place(await shopper.cart_id(), data, idempotency_key=idempotency_key)


router = Router(path="/", route_handlers=[CartApi, CheckoutApi])
