"""Order and checkout errors, each with its HTTP status and a stable code."""

from marketplace.platform.errors import Conflict, NotFound, Unprocessable

__all__ = ["OrderNotFound", "InvalidTransition", "OutOfStock", "PriceChanged", "CheckoutInvalid", "CartEmpty",
           "OrderPaid", "IdempotencyKeyReused", "BuyerLimitReached"]


class OrderNotFound(NotFound):
    """No such order, or not yours."""

    code = "order_not_found"


class InvalidTransition(Conflict):
    """The state machine does not allow this change."""

    code = "invalid_transition"


class OutOfStock(Conflict):
    """Not enough stock or seats left."""

    code = "out_of_stock"


class PriceChanged(Conflict):
    """Prices changed since the quote the buyer confirmed."""

    code = "price_changed"


class CheckoutInvalid(Unprocessable):
    """The checkout form cannot be accepted as it is."""

    code = "checkout_invalid"


class CartEmpty(Unprocessable):
    """Nothing to check out."""

    code = "cart_empty"


class OrderPaid(Conflict):
    """The order's money was taken (or waits in review): it is cancelled only together with its refund."""

    code = "order_paid"


class IdempotencyKeyReused(Unprocessable):
    """The idempotency key was already used with a different request."""

    code = "idempotency_key_reused"


class BuyerLimitReached(Unprocessable):
    """A checkout beyond what one buyer may hold (units per line, unpaid orders, a young account's value)."""

    code = "buyer_limit"
