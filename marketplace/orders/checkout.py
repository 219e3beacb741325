"""Checkout: quote the cart at today's prices, then place one order per merchant under one checkout.

Stock and slot seats are reserved with a conditional UPDATE (`stock >= quantity`) in the same
transaction as the orders, so concurrent buyers can never oversell; the CHECK (stock >= 0) on the
table is the second line of defence.
"""

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime

import asyncpg
import msgspec

from i18n import LocalizedText
from marketplace.carts import repository as cart_repo
from marketplace.carts.models import CartLine
from marketplace.orders import repository as repo
from marketplace.orders.errors import CartEmpty, CheckoutInvalid, OutOfStock, PriceChanged
from marketplace.orders.models import CheckoutForm, PlacedCheckout
from marketplace.platform.access import Actor, require_user
from marketplace.platform.divisions import check_commune
from search.outbox import enqueue

__all__ = ["MerchantGroup", "Quote", "build_quote", "quote_cart", "place_checkout", "DEFAULT_PAYMENT_METHODS"]

DEFAULT_PAYMENT_METHODS: frozenset[str] = frozenset({"cod"})

RESERVE = "UPDATE product_variants SET stock = stock - $2 WHERE id = $1 AND stock >= $2 RETURNING stock"


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
    def changed_lines(self) -> list[CartLine]:
        """Lines whose price changed since they were added."""
        return [line for group in self.groups for line in group.lines if line.price_changed]

    @property
    def problems(self) -> list[CartLine]:
        """Lines that cannot be bought as they are: gone, or more than is left."""
        return [
            line for group in self.groups for line in group.lines if not line.purchasable or line.stock < line.quantity
        ]

    def total_for(self, delivery: dict[int, str]) -> int:
        """Items plus the delivery fees of the chosen methods."""
        return self.subtotal + sum(group.fee_for(delivery.get(group.merchant_id, "pickup")) for group in self.groups)


def build_quote(lines: Sequence[CartLine]) -> Quote:
    """Group lines by merchant and sign the prices shown."""
    groups: dict[int, list[CartLine]] = {}
    for line in lines:
        groups.setdefault(line.merchant_id, []).append(line)
    built = [
        MerchantGroup(
            merchant_id=mid,
            merchant_name=items[0].merchant_name,
            merchant_slug=items[0].merchant_slug,
            lines=items,
            offers_pickup=items[0].offers_pickup,
            delivery_fee=items[0].delivery_fee,
        )
        for mid, items in groups.items()
    ]
    digest = hashlib.sha256()
    for group in built:
        digest.update(f"m{group.merchant_id}:{group.delivery_fee};".encode())
        for line in group.lines:
            digest.update(f"v{line.variant_id}:{line.quantity}:{line.unit_price};".encode())
    return Quote(groups=built, signature=digest.hexdigest()[:32])


async def quote_cart(conn: asyncpg.Connection, cart_id: int | None) -> Quote:
    """The cart at today's prices."""
    lines = await cart_repo.list_lines(conn, cart_id) if cart_id is not None else []
    return build_quote(lines)


def _delivery_choices(quote: Quote, form: CheckoutForm) -> dict[int, str]:
    chosen = {choice.merchant_id: choice.method for choice in form.delivery}
    result: dict[int, str] = {}
    for group in quote.groups:
        methods = group.delivery_methods
        if not methods:
            raise CheckoutInvalid(
                "This shop cannot hand over orders at the moment.", details={"merchant_id": group.merchant_id}
            )
        method = chosen.get(group.merchant_id, methods[0])
        if method not in methods:
            raise CheckoutInvalid(
                "This delivery method is not offered by the shop.",
                details={"merchant_id": group.merchant_id, "method": method, "offered": methods},
            )
        result[group.merchant_id] = method
    return result


async def place_checkout(
    conn: asyncpg.Connection,
    actor: Actor | None,
    cart_id: int | None,
    form: CheckoutForm,
    *,
    payment_methods: Collection[str] = DEFAULT_PAYMENT_METHODS,
) -> PlacedCheckout:
    """Re-read prices, reserve stock, create the checkout and one order per merchant, empty the cart.

    Runs inside the caller's transaction; any error leaves nothing behind once it rolls back.
    """
    buyer_id = require_user(actor)
    if form.payment_method not in payment_methods:
        raise CheckoutInvalid(
            "This payment method is not available.",
            code="payment_method_unavailable",
            details={"offered": sorted(payment_methods)},
        )
    check_commune(form.commune_code, form.province_code)
    quote = await quote_cart(conn, cart_id)
    if not quote.groups:
        raise CartEmpty("The cart is empty.")
    if form.quote_signature != quote.signature:
        # The buyer confirmed other prices (or another cart) than the ones in force now: show them first.
        raise PriceChanged(
            "Prices or your cart changed; please review and confirm again.",
            details={
                "signature": quote.signature,
                "changed": [
                    {"variant_id": line.variant_id, "was": line.unit_price_seen, "now": line.unit_price}
                    for line in quote.changed_lines
                ],
            },
        )
    unavailable = [line.variant_id for line in quote.problems if not line.purchasable]
    if unavailable:
        raise CheckoutInvalid(
            "Some items are no longer for sale.", code="not_for_sale", details={"variant_ids": unavailable}
        )
    delivery = _delivery_choices(quote, form)
    # Lock variants in one global order (by id) so two checkouts cannot deadlock on each other's rows.
    all_lines = sorted((line for group in quote.groups for line in group.lines), key=lambda line: line.variant_id)
    for line in all_lines:
        if await conn.fetchval(RESERVE, line.variant_id, line.quantity) is None:
            raise OutOfStock("Not enough left of an item in your cart.", details={"variant_id": line.variant_id})
    status = "confirmed" if form.payment_method == "cod" else "pending_payment"
    total = quote.total_for(delivery)
    checkout_id = await repo.insert_checkout(
        conn,
        buyer_id,
        form.contact_name.strip(),
        form.contact_phone.strip(),
        form.contact_email.strip(),
        form.province_code,
        form.commune_code,
        form.address_line.strip(),
        form.payment_method,
        total,
    )
    order_ids: list[int] = []
    for group in quote.groups:
        method = delivery[group.merchant_id]
        order_id = await repo.insert_order(
            conn,
            checkout_id,
            group.merchant_id,
            buyer_id,
            status,
            form.payment_method,
            method,
            group.subtotal,
            group.fee_for(method),
        )
        for line in group.lines:
            await repo.insert_order_item(conn, order_id, _Line.of(line))
        await repo.insert_order_event(conn, order_id, None, status, buyer_id, None)
        order_ids.append(order_id)
    if cart_id is not None:
        await cart_repo.clear_cart(conn, cart_id)
    # Stock levels are part of search documents (sold out sorts last).
    await enqueue(conn, [f"product:{line.product_id}" for line in all_lines])
    return PlacedCheckout(
        checkout_id=checkout_id,
        order_ids=order_ids,
        total=total,
        currency="VND",
        payment_method=form.payment_method,
        status=status,
    )


class _Line(msgspec.Struct, frozen=True):
    product_id: int
    variant_id: int
    product_name: LocalizedText
    variant_label: LocalizedText
    sku: str
    unit: str
    unit_price: int
    quantity: int
    line_total: int
    starts_at: datetime | None

    @classmethod
    def of(cls, line: CartLine) -> "_Line":
        """The order line copied from a cart line."""
        return cls(
            line.product_id,
            line.variant_id,
            line.product_name,
            line.variant_label,
            line.sku,
            line.unit,
            line.unit_price,
            line.quantity,
            line.line_total,
            line.starts_at,
        )
