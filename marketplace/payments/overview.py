"""What the payment pages and API show: payments as views, a checkout's and an order's payments with what the
visitor may do, and the admin's overview.
"""

from collections.abc import Sequence

import asyncpg

from marketplace.orders import repository as orders_repo
from marketplace.orders.models import CheckoutContact
from marketplace.payments import repository as repo
from marketplace.payments.errors import PaymentNotFound
from marketplace.payments.models import (
    CheckoutPayments,
    MerchantBalance,
    OrderPayments,
    Payment,
    PaymentsOverview,
    PaymentView,
)
from marketplace.payments.providers.protocol import PaymentMethod, PaymentProvider
from marketplace.payments.service import PAID_STATUSES, may_manage, payment_code, start_checkout_payments
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import Actor

__all__ = [
    "payment_view",
    "checkout_payment_views",
    "open_checkout_payments",
    "order_payments",
    "order_of_payment",
    "payments_in_review",
    "merchant_balances",
    "payments_overview",
]


async def checkout_payment_views(conn: asyncpg.Connection, checkout_id: int) -> list[PaymentView]:
    """Every payment attempt of a checkout, oldest first, as the API and pages show them."""
    return [await payment_view(conn, p) for p in await repo.list_payments_for_checkout(conn, checkout_id)]


async def open_checkout_payments(conn: asyncpg.Connection, providers: Sequence[PaymentProvider],
                                 payment_settings: PaymentSettings, checkout: CheckoutContact, *, locale: str,
                                 return_url: str) -> CheckoutPayments:
    """What a checkout's payment page shows. Transfer details and cash notes are prepared at once (no provider
    is called for them); a card payment starts only when the buyer asks for Stripe's page."""
    if checkout.payment_method in (PaymentMethod.VIETQR, PaymentMethod.COD):
        offline = [p for p in providers if p.method != PaymentMethod.STRIPE]
        await start_checkout_payments(conn, offline, payment_settings, checkout.id, locale=locale,
                                      return_url=return_url, cancel_url=return_url)
    orders = await orders_repo.list_checkout_order_headers(conn, checkout.id)
    return CheckoutPayments(checkout=checkout, payments=await checkout_payment_views(conn, checkout.id),
                            can_retry=any(order.status == "pending_payment" for order in orders))


async def order_payments(conn: asyncpg.Connection, actor: Actor | None, order_id: int) -> OrderPayments:
    """An order's payments for its buyer (to read) or whoever manages its merchant (to act); 404 otherwise."""
    order = await orders_repo.get_order_header(conn, order_id)
    if order is None:
        raise PaymentNotFound("No such order.", code="order_not_found")
    manage = await may_manage(conn, actor, order.merchant_id)
    if not manage and (actor is None or actor.user_id != order.buyer_user_id):
        raise PaymentNotFound("No such order.", code="order_not_found")
    payments = [await payment_view(conn, p) for p in await repo.list_payments_for_order(conn, order_id)]
    share = order.total if any(p.status in PAID_STATUSES for p in payments) else 0
    return OrderPayments(
        order=order, payments=payments, manage=manage,
        refundable=max(0, share - await repo.sum_refunds_for_order(conn, order_id)),
        cash_recorded=any(p.method == "cod" and p.status != "pending" for p in payments))


async def order_of_payment(conn: asyncpg.Connection, payment_id: int, wanted_order_id: int | None) -> int:
    """The order to show after acting on a payment: the one asked for when the payment covers it, else its
    first (0 when it covers none)."""
    order_ids = [link.order_id for link in await repo.list_payment_orders(conn, payment_id)]
    if wanted_order_id is not None and wanted_order_id in order_ids:
        return wanted_order_id
    return order_ids[0] if order_ids else 0


async def payments_in_review(conn: asyncpg.Connection) -> list[PaymentView]:
    """Payments waiting for a person's decision, oldest first."""
    return [await payment_view(conn, p) for p in await repo.list_payments_in_review(conn)]


async def merchant_balances(conn: asyncpg.Connection) -> list[MerchantBalance]:
    """Every merchant's balance, largest owed first."""
    return await repo.list_merchant_balances(conn)


async def payments_overview(conn: asyncpg.Connection) -> PaymentsOverview:
    """What an admin watches: balances, payments waiting for a decision, unmatched and flagged events."""
    balances = await merchant_balances(conn)
    review = await payments_in_review(conn)
    return PaymentsOverview(
        balances=balances,
        merchant_names=await repo.list_merchant_names(conn, [b.merchant_id for b in balances]),
        review=review,
        review_orders={p.id: p.order_ids[0] if p.order_ids else 0 for p in review},
        unmatched=await repo.list_unmatched_events(conn),
        flagged_card_events=await repo.list_flagged_card_events(conn),
        fee_approvals=await repo.list_refunds_awaiting_fee_approval(conn),
        queued_refunds=await repo.list_queued_refunds(conn))


async def payment_view(conn: asyncpg.Connection, payment: Payment) -> PaymentView:
    """A payment with its order ids and the transfer content, for the API and pages."""
    order_ids = [po.order_id for po in await repo.list_payment_orders(conn, payment.id)]
    return PaymentView(
        id=payment.id, checkout_id=payment.checkout_id, method=payment.method, status=payment.status,
        amount=payment.amount, currency=payment.currency, order_ids=order_ids,
        redirect_url=payment.redirect_url if payment.status == "pending" else None,
        qr_payload=payment.qr_payload if payment.status == "pending" else None,
        bank_bin=payment.bank_bin, bank_account_number=payment.bank_account_number,
        bank_account_name=payment.bank_account_name,
        transfer_content=payment_code(payment.id) if payment.method == "vietqr" else None,
        amount_refunded=payment.amount_refunded, review_reason=payment.review_reason,
        expires_at=payment.expires_at, paid_at=payment.paid_at)
