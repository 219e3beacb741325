"""Checkout: quote the cart at today's prices, offer the payment methods it can use, then place one order per
merchant under one checkout. The JSON API, the pages and the demo all place checkouts through here.

Stock and slot seats are reserved with a conditional UPDATE (`stock >= quantity`) in the same transaction as the
orders, so concurrent buyers can never oversell; the CHECK (stock >= 0) on the table is the second line of
defence. Every function runs inside the caller's transaction: a refused checkout leaves nothing behind once the
caller rolls it (or its savepoint) back.
"""

import hashlib
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from marketplace.carts import repository as cart_repo
from marketplace.carts.models import CartLine
from marketplace.checkout.models import (
    CheckoutForm,
    MerchantGroup,
    PlacedCheckout,
    Quote,
    QuoteGroup,
    QuoteView,
)
from marketplace.orders import repository as orders_repo
from marketplace.orders.errors import (
    BuyerLimitReached,
    CartEmpty,
    CheckoutInvalid,
    IdempotencyKeyReused,
    OutOfStock,
    PriceChanged,
)
from marketplace.orders.notices import order_placed
from marketplace.payments import service as payments
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import Actor, require_user
from marketplace.platform.divisions import check_commune
from search.outbox import enqueue

__all__ = [
    "DEFAULT_PAYMENT_METHODS",
    "build_quote",
    "quote_cart",
    "offered_payment_methods",
    "cart_view",
    "place_checkout",
    "checkout_cart",
    "once_per_key",
    "BuyerLimits",
]


@dataclass(frozen=True, slots=True)
class BuyerLimits:
    """What one buyer may hold at once (settings MAX_QUANTITY_PER_LINE, MAX_UNPAID_ORDERS, YOUNG_ACCOUNT_DAYS,
    YOUNG_ACCOUNT_MAX_RESERVED): one free account must not reserve a whole catalogue."""

    max_quantity_per_line: int = 20
    max_unpaid_orders: int = 5
    young_account_days: int = 7
    young_account_max_reserved: int = 5_000_000

    @classmethod
    def from_settings(cls, settings: object) -> "BuyerLimits":
        return cls(**{name: getattr(settings, name) for name in cls.__slots__})

DEFAULT_PAYMENT_METHODS: frozenset[str] = frozenset({"cod"})


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


async def offered_payment_methods(conn: asyncpg.Connection, providers: Sequence[PaymentProvider],
                                  payment_settings: PaymentSettings, merchant_ids: Sequence[int]) -> list[str]:
    """The payment methods a checkout of these merchants offers (the payments package decides); cash always."""
    methods = await payments.offered_methods(conn, providers, payment_settings, list(merchant_ids))
    return methods if "cod" in methods else [*methods, "cod"]


async def cart_view(conn: asyncpg.Connection, cart_id: int | None, providers: Sequence[PaymentProvider],
                    payment_settings: PaymentSettings) -> QuoteView:
    """The cart at today's prices as the API shows it, with the payment methods a checkout of it offers."""
    quote = await quote_cart(conn, cart_id)
    groups = [
        QuoteGroup(merchant_id=g.merchant_id, merchant_slug=g.merchant_slug, subtotal=g.subtotal,
                   delivery_methods=g.delivery_methods, delivery_fee=g.delivery_fee, lines=g.lines)
        for g in quote.groups
    ]
    return QuoteView(
        groups=groups,
        subtotal=quote.subtotal,
        signature=quote.signature,
        price_changes=quote.changed_lines,
        problems=quote.problems,
        payment_methods=await offered_payment_methods(conn, providers, payment_settings, quote.merchant_ids),
    )


async def checkout_cart(conn: asyncpg.Connection, actor: Actor | None, cart_id: int | None, form: CheckoutForm,
                        providers: Sequence[PaymentProvider], payment_settings: PaymentSettings, *,
                        quote: Quote | None = None, limits: BuyerLimits | None = None) -> PlacedCheckout:
    """Place the cart with one of the payment methods it offers now.

    `quote` is the cart as the caller already priced it in this transaction (the pages need it to read the
    delivery choices), so it is not read again just to know its merchants; placing it re-reads the prices.
    """
    if quote is None:
        quote = await quote_cart(conn, cart_id)
    methods = await offered_payment_methods(conn, providers, payment_settings, quote.merchant_ids)
    return await place_checkout(conn, actor, cart_id, form, payment_methods=methods, limits=limits)


async def place_checkout(
    conn: asyncpg.Connection,
    actor: Actor | None,
    cart_id: int | None,
    form: CheckoutForm,
    *,
    payment_methods: Collection[str] = DEFAULT_PAYMENT_METHODS,
    limits: BuyerLimits | None = None,
) -> PlacedCheckout:
    """Re-read prices, reserve stock, create the checkout and one order per merchant, empty the cart."""
    buyer_id = require_user(actor)
    if form.payment_method not in payment_methods:
        raise CheckoutInvalid(
            "This payment method is not available.",
            code="payment_method_unavailable",
            details={"offered": sorted(payment_methods)},
        )
    check_commune(form.commune_code, form.province_code)
    if cart_id is not None:
        # Two checkouts of one cart at once: the second waits for the first, then finds the cart emptied.
        await orders_repo.lock_cart(conn, cart_id)
    quote = await quote_cart(conn, cart_id)
    _check_quote(quote, form)
    if limits is not None:  # the web routes always pass the settings' limits; the demo seed places freely
        await _check_buyer_limits(conn, buyer_id, quote, limits)
    delivery = _delivery_choices(quote, form)
    reserved = await _reserve_stock(conn, quote)
    status = "confirmed" if form.payment_method == "cod" else "pending_payment"
    total = quote.total_for(delivery)
    checkout_id = await orders_repo.insert_checkout(
        conn, buyer_id, form.contact_name.strip(), form.contact_phone.strip(), form.contact_email.strip(),
        form.province_code, form.commune_code, form.address_line.strip(), form.payment_method, total,
    )
    order_ids = [
        await _place_order(conn, checkout_id, buyer_id, group, delivery[group.merchant_id], form, status)
        for group in quote.groups
    ]
    if cart_id is not None:
        await cart_repo.clear_cart(conn, cart_id)
    # Stock levels are part of search documents (sold out sorts last).
    await enqueue(conn, [f"product:{line.product_id}" for line in reserved])
    for order_id in order_ids:
        await order_placed(conn, order_id)
    return PlacedCheckout(checkout_id=checkout_id, order_ids=order_ids, total=total, currency="VND",
                          payment_method=form.payment_method, status=status)


async def once_per_key(conn: asyncpg.Connection, actor: Actor | None, key: str | None, request: bytes,
                       place: Callable[[], Awaitable[PlacedCheckout]]) -> PlacedCheckout:
    """`place` once per buyer and idempotency key: a repeat (even a concurrent one, which waits for the first)
    gets the first answer; the same key with another `request` (the body as sent) is 422
    idempotency_key_reused. No key: just place."""
    if key is None:
        return await place()
    buyer_id = require_user(actor)
    request_hash = hashlib.sha256(request).hexdigest()
    await orders_repo.lock_checkout_key(conn, buyer_id, key)
    stored = await orders_repo.get_checkout_request(conn, buyer_id, key)
    if stored is not None:
        if stored["request_hash"] != request_hash:
            raise IdempotencyKeyReused("This idempotency key was used for another checkout; use a new key.")
        return msgspec.convert(stored["response"], PlacedCheckout)
    placed = await place()
    await orders_repo.insert_checkout_request(conn, buyer_id, key, request_hash, placed.checkout_id,
                                              msgspec.to_builtins(placed))
    return placed


async def _check_buyer_limits(conn: asyncpg.Connection, buyer_id: int, quote: Quote, limits: BuyerLimits) -> None:
    """Refuse (422 buyer_limit, with the limit) a checkout beyond what one buyer may hold."""
    for line in quote.lines:
        if line.quantity > limits.max_quantity_per_line:
            raise BuyerLimitReached("Too many of one item in one order; lower the quantity.",
                                    code="quantity_limit",
                                    details={"variant_id": line.variant_id, "max": limits.max_quantity_per_line})
    unpaid = await orders_repo.buyer_unpaid_orders(conn, buyer_id)
    if unpaid["orders"] + len(quote.groups) > limits.max_unpaid_orders:
        raise BuyerLimitReached("You have too many orders waiting for payment; pay or cancel some first.",
                                code="too_many_unpaid_orders",
                                details={"open": unpaid["orders"], "max": limits.max_unpaid_orders})
    young = unpaid["account_created_at"] > datetime.now(UTC) - timedelta(days=limits.young_account_days)
    if young and unpaid["reserved"] + quote.subtotal > limits.young_account_max_reserved:
        raise BuyerLimitReached("New accounts may reserve only a limited value in unpaid orders; pay for your "
                                "orders first.", code="reserved_value_limit",
                                details={"reserved": int(unpaid["reserved"]), "max": limits.young_account_max_reserved})


def _check_quote(quote: Quote, form: CheckoutForm) -> None:
    """The cart is not empty, its prices are those the buyer confirmed, and everything in it is for sale."""
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


def _delivery_choices(quote: Quote, form: CheckoutForm) -> dict[int, str]:
    """Each merchant's delivery method: the buyer's choice when the shop offers it, else its first method."""
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


async def _reserve_stock(conn: asyncpg.Connection, quote: Quote) -> list[CartLine]:
    """Take every line's quantity from stock, or raise OutOfStock (the caller rolls back what was taken)."""
    # Lock variants in one global order (by id) so two checkouts cannot deadlock on each other's rows.
    lines = sorted(quote.lines, key=lambda line: line.variant_id)
    for line in lines:
        if not await orders_repo.reserve_stock(conn, line.variant_id, line.quantity):
            raise OutOfStock("Not enough left of an item in your cart.", details={"variant_id": line.variant_id})
    return lines


async def _place_order(conn: asyncpg.Connection, checkout_id: int, buyer_id: int, group: MerchantGroup,
                       method: str, form: CheckoutForm, status: str) -> int:
    """One merchant's order of the checkout, its lines copied as bought, and its first recorded status."""
    order_id = await orders_repo.insert_order(
        conn, checkout_id, group.merchant_id, buyer_id, status, form.payment_method, method, group.subtotal,
        group.fee_for(method),
    )
    for line in group.lines:
        await orders_repo.insert_order_item(conn, order_id, line)
    await orders_repo.insert_order_event(conn, order_id, None, status, buyer_id, None)
    return order_id
