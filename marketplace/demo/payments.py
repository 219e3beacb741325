"""Paying demo orders through the real payment rules, so a seeded marketplace has payments and a ledger."""

import asyncpg

from marketplace.orders import repository as orders_repo
from marketplace.payments import refunds, service
from marketplace.payments.models import Payment
from marketplace.payments.providers.bank_transfer import VietQRProvider
from marketplace.payments.providers.cod import CashOnDeliveryProvider
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import Actor

__all__ = ["pay_demo_order"]


async def pay_demo_order(conn: asyncpg.Connection, admin: Actor, order_id: int,
                         payment_settings: PaymentSettings, *, base_url: str = "http://127.0.0.1:8000",
                         refund: bool = False) -> Payment | None:
    """Pay one demo order the way a person would: an admin confirms the VietQR transfer, or records the cash.

    Stripe orders are left alone (paying them needs Stripe's servers); `refund` then refunds it in full.
    Returns the payment, or None when there was nothing to pay.
    """
    order = await orders_repo.get_order_header(conn, order_id)
    if order is None or order.payment_method == "stripe":
        return None
    offline: list[PaymentProvider] = [VietQRProvider(webhook_secret=None), CashOnDeliveryProvider()]
    back = f"{base_url}/vi/payments/checkouts/{order.checkout_id}"
    if order.payment_method == "vietqr":
        if order.status != "pending_payment":
            return None
        payments = await service.start_checkout_payments(conn, offline, payment_settings, order.checkout_id,
                                                         locale="vi", return_url=back, cancel_url=back)
        payment = next(p for p in payments if p.status == "pending")
        paid = await service.confirm_transfer(conn, admin, payment.id, payment_settings, note="demo")
    else:
        if order.status not in service.CASH_PAYABLE_STATUSES:
            return None
        paid = await service.collect_cash(conn, admin, order_id, payment_settings)
    if refund:
        await refunds.refund_order(conn, offline, admin, order_id, payment_settings, reason="demo refund")
    return paid
