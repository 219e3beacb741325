"""Orders as the API and pages read them, and what a checkout form sends."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText

__all__ = [
    "OrderItem",
    "OrderEvent",
    "Order",
    "OrderSummary",
    "CheckoutForm",
    "DeliveryChoice",
    "PlacedCheckout",
    "StatusChange",
    "PaymentMethod",
    "DeliveryMethod",
]

PaymentMethod = Literal["cod", "vietqr", "stripe"]
DeliveryMethod = Literal["pickup", "delivery"]


class OrderItem(msgspec.Struct, frozen=True):
    """A line as it was bought: names and price are copied so later edits do not rewrite history."""

    id: int
    product_id: int
    variant_id: int
    product_name: LocalizedText
    variant_label: LocalizedText
    sku: str
    unit: str
    unit_price: int
    quantity: int
    line_total: int
    starts_at: datetime | None = None
    """The booked slot of an experience."""


class OrderEvent(msgspec.Struct, frozen=True):
    """One recorded transition: who moved the order and when."""

    from_status: str | None
    to_status: str
    actor_user_id: int | None
    actor_name: str
    reason: str | None
    at: datetime


class OrderSummary(msgspec.Struct, frozen=True):
    """An order in a list."""

    id: int
    checkout_id: int
    merchant_id: int
    merchant_name: LocalizedText
    buyer_user_id: int
    status: str
    payment_method: str
    delivery_method: str
    total: int
    currency: str
    created_at: datetime


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """One merchant's part of a checkout, with its lines, its history and where it goes."""

    id: int
    checkout_id: int
    merchant_id: int
    merchant_name: LocalizedText
    merchant_slug: str
    merchant_phone: str
    merchant_address: str
    buyer_user_id: int
    status: str
    payment_method: str
    delivery_method: str
    subtotal: int
    delivery_fee: int
    total: int
    currency: str
    contact_name: str
    contact_phone: str
    contact_email: str
    province_code: int
    commune_code: int
    address_line: str
    created_at: datetime
    updated_at: datetime
    items: list[OrderItem] = msgspec.field(default_factory=list)
    events: list[OrderEvent] = msgspec.field(default_factory=list)


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


class StatusChange(msgspec.Struct, frozen=True):
    """A requested transition."""

    status: Annotated[str, msgspec.Meta(max_length=32)]
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
