"""Orders as the API, the pages and the payments part read them, and what a status change sends."""

from datetime import datetime
from typing import Annotated, Protocol

import msgspec

from i18n import LocalizedText

__all__ = [
    "OrderItem",
    "OrderEvent",
    "Order",
    "OrderSummary",
    "OrderHeader",
    "CheckoutContact",
    "PurchasedLine",
    "OrderView",
    "StatusChange",
    "OrderChoice",
    "CheckoutChoice",
]


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


class OrderHeader(msgspec.Struct, frozen=True, kw_only=True):
    """An order without its lines: what payments need to know to collect, credit and refund it."""

    id: int
    checkout_id: int
    merchant_id: int
    buyer_user_id: int
    status: str
    payment_method: str
    total: int
    currency: str
    created_at: datetime


class CheckoutContact(msgspec.Struct, frozen=True, kw_only=True):
    """Who placed a checkout, how they chose to pay, its total and where to send the receipt."""

    id: int
    buyer_user_id: int
    payment_method: str
    total: int
    currency: str
    contact_email: str


class PurchasedLine(Protocol):
    """What an order line is copied from at checkout (a cart line): names and price as the buyer saw them."""

    product_id: int
    variant_id: int
    product_name: LocalizedText
    variant_label: LocalizedText
    sku: str
    unit: str
    unit_price: int
    quantity: int
    starts_at: datetime | None

    @property
    def line_total(self) -> int:
        """Quantity times the unit price."""
        ...


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


class StatusChange(msgspec.Struct, frozen=True):
    """A requested transition."""

    status: Annotated[str, msgspec.Meta(max_length=32)]
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class OrderView(msgspec.Struct, frozen=True, kw_only=True):
    """An order as one person sees it: as its buyer, its merchant's side, or both, and the steps they may take."""

    order: Order
    is_buyer: bool
    is_merchant: bool
    actions: list[str]
    """The statuses this person may move the order to now."""


class OrderChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The order a form came from (a hidden field), to show that order again after a refused action."""

    order_id: int | None = None


class CheckoutChoice(msgspec.Struct, frozen=True, kw_only=True):
    """`?checkout=` on the orders page: the checkout just placed, whose orders are listed first."""

    checkout: int | None = None
