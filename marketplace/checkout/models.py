"""A cart priced for checkout (the quote), what the buyer confirms, and what a checkout placed."""

from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText
from marketplace.carts.models import CartLine

__all__ = [
    "PaymentMethod",
    "DeliveryMethod",
    "MerchantGroup",
    "Quote",
    "QuoteGroup",
    "QuoteView",
    "CartView",
    "DeliveryChoice",
    "CheckoutForm",
    "PlacedCheckout",
    "ProvinceChoice",
]

PaymentMethod = Literal["cod", "vietqr", "stripe"]
DeliveryMethod = Literal["pickup", "delivery"]


class MerchantGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One merchant's lines and how they can reach the buyer."""

    merchant_id: int
    merchant_name: LocalizedText
    merchant_slug: str
    lines: list[CartLine]
    offers_pickup: bool
    delivery_fee: int | None

    @property
    def subtotal(self) -> int:
        """The sum of the line totals."""
        return sum(line.line_total for line in self.lines)

    @property
    def delivery_methods(self) -> list[str]:
        """The methods this merchant offers."""
        methods = ["pickup"] if self.offers_pickup else []
        if self.delivery_fee is not None:
            methods.append("delivery")
        return methods

    def fee_for(self, method: str) -> int:
        """The delivery fee of a method."""
        return (self.delivery_fee or 0) if method == "delivery" else 0


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """The cart priced now, grouped by merchant, with what changed since the buyer added each line."""

    groups: list[MerchantGroup]
    signature: str
    """A digest of every line's variant, quantity and current price and every merchant's delivery fee."""

    @property
    def subtotal(self) -> int:
        """The sum of the line totals."""
        return sum(group.subtotal for group in self.groups)

    @property
    def lowest_delivery(self) -> int:
        """The delivery fees with each merchant's cheapest method (the checkout form preselects it)."""
        return sum(min(map(group.fee_for, group.delivery_methods)) for group in self.groups if group.delivery_methods)

    @property
    def highest_delivery(self) -> int:
        """The delivery fees with everything delivered where a merchant delivers."""
        return sum(max(map(group.fee_for, group.delivery_methods)) for group in self.groups if group.delivery_methods)

    @property
    def changed_lines(self) -> list[CartLine]:
        """Lines whose price changed since they were added."""
        return [line for group in self.groups for line in group.lines if line.price_changed]

    @property
    def problems(self) -> list[CartLine]:
        """Lines that cannot be bought as they are: gone, or more than is left."""
        return [
            line for group in self.groups for line in group.lines if not line.purchasable or line.stock < line.quantity
        ]

    @property
    def merchant_ids(self) -> list[int]:
        """The merchants of the cart, in the order of their groups."""
        return [group.merchant_id for group in self.groups]

    @property
    def lines(self) -> list[CartLine]:
        """Every line of every merchant."""
        return [line for group in self.groups for line in group.lines]

    def total_for(self, delivery: dict[int, str]) -> int:
        """Items plus the delivery fees of the chosen methods."""
        return self.subtotal + sum(group.fee_for(delivery.get(group.merchant_id, "pickup")) for group in self.groups)


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


class DeliveryChoice(msgspec.Struct, frozen=True):
    """How one merchant's part reaches the buyer."""

    merchant_id: int
    method: DeliveryMethod


class CheckoutForm(msgspec.Struct, frozen=True, kw_only=True):
    """What the buyer confirms; `quote_signature` proves which prices they saw."""

    contact_name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    contact_phone: Annotated[str, msgspec.Meta(min_length=6, max_length=20, pattern=r"^\+?[0-9 .-]{6,20}$")]
    contact_email: Annotated[str, msgspec.Meta(max_length=200)] = ""
    province_code: int
    commune_code: int
    address_line: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    payment_method: PaymentMethod = "cod"
    delivery: list[DeliveryChoice] = msgspec.field(default_factory=list)
    quote_signature: Annotated[str, msgspec.Meta(max_length=128)] = ""


class PlacedCheckout(msgspec.Struct, frozen=True):
    """The checkout and the orders it created, one per merchant."""

    checkout_id: int
    order_ids: list[int]
    total: int
    currency: str
    payment_method: str
    status: str


class ProvinceChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The province the checkout form lists the communes of."""

    province_code: int | None = None
