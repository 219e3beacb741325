"""The merchant ledger: what the platform owes each merchant, payouts, statements and CSV export.

Signed entries, positive when owed to the merchant. Money the platform collected (Stripe, transfers to
its account) is credited as a sale less the platform fee; money the merchant collected itself (cash,
its own account) only charges the fee. Refunds are deducted and give the fee on them back. Payouts
carry a method and an external reference so Stripe Connect transfers can be recorded the same way.
"""

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from marketplace.orders.models import OrderHeader
from marketplace.payments import repository as repo
from marketplace.payments.models import LedgerEntry, MerchantBalance, Payment, Payout, Refund
from tourism.opendata import csv_text

__all__ = ["fee_for", "record_paid_orders", "record_refund_entries", "record_payout", "statement",
           "statement_csv", "record_fee_reversal"]

BPS = 10_000


def fee_for(amount: int, fee_bps: int) -> int:
    """The platform fee on `amount`, rounded half up to a whole minor unit."""
    return (amount * fee_bps + BPS // 2) // BPS


async def record_paid_orders(conn: asyncpg.Connection, payment: Payment, orders: Sequence[OrderHeader],
                             fee_bps: int, *, collected_by_platform: bool) -> None:
    """Credit paid orders (once each, enforced by a unique index) and charge the platform fee."""
    for order in orders:
        if collected_by_platform:
            await repo.insert_ledger_entry(conn, merchant_id=order.merchant_id, kind="sale", amount=order.total,
                                           currency=order.currency, order_id=order.id,
                                           note=f"{payment.method} payment {payment.id}")
        await repo.insert_ledger_entry(conn, merchant_id=order.merchant_id, kind="platform_fee",
                                       amount=-fee_for(order.total, fee_bps), currency=order.currency,
                                       order_id=order.id, note=f"{fee_bps / 100:g}% of {order.total}")


async def record_fee_reversal(conn: asyncpg.Connection, order: OrderHeader, refund: Refund,
                              fee_bps: int) -> None:
    """Give back the fee charged on a refunded amount.

    The fee on everything refunded (and approved) so far less the fee already given back, so rounding
    across partial refunds never returns more than the fee charged on the order. A refund whose fee
    return waits for an admin gives nothing back yet.
    """
    if refund.fee_return_pending or refund.order_id != order.id:
        return
    refunded = await repo.sum_fee_returnable_refunds(conn, order.id)
    reversal = fee_for(refunded, fee_bps) - await repo.sum_fee_returned(conn, order.id)
    if reversal > 0:
        await repo.insert_ledger_entry(conn, merchant_id=order.merchant_id, kind="fee_reversal", amount=reversal,
                                       currency=order.currency, order_id=order.id, refund_id=refund.id,
                                       note=f"fee on refund {refund.id}")


async def record_refund_entries(conn: asyncpg.Connection, order: OrderHeader, refund: Refund, fee_bps: int,
                                *, collected_by_platform: bool) -> None:
    """Deduct a refund the platform paid out of money it holds for the merchant; return the fee on it."""
    if collected_by_platform:
        await repo.insert_ledger_entry(conn, merchant_id=order.merchant_id, kind="refund", amount=-refund.amount,
                                       currency=order.currency, order_id=order.id, refund_id=refund.id,
                                       note=refund.reason)
    await record_fee_reversal(conn, order, refund, fee_bps)


async def record_payout(conn: asyncpg.Connection, *, merchant_id: int, amount: int, method: str,
                        external_reference: str, note: str, created_by: int | None,
                        currency: str = "VND") -> Payout:
    """An admin records money sent to a merchant; it is deducted from what the platform owes."""
    payout = await repo.insert_payout(conn, merchant_id=merchant_id, amount=amount, currency=currency,
                                      method=method, external_reference=external_reference, note=note,
                                      created_by=created_by)
    await repo.insert_ledger_entry(conn, merchant_id=merchant_id, kind="payout", amount=-amount, currency=currency,
                                   payout_id=payout.id, note=external_reference or method)
    return payout


async def statement(conn: asyncpg.Connection, merchant_id: int, *, since: datetime | None = None,
                    until: datetime | None = None) -> tuple[MerchantBalance, list[tuple[LedgerEntry, int]]]:
    """The merchant's totals and its entries, each with the running balance after it."""
    balance = await repo.get_merchant_balance(conn, merchant_id)
    entries = await repo.list_ledger_entries(conn, merchant_id, since=since, until=until)
    running = 0
    if since is not None:
        earlier = await repo.list_ledger_entries(conn, merchant_id, until=since)
        running = sum(entry.amount for entry in earlier)
    lines: list[tuple[LedgerEntry, int]] = []
    for entry in entries:
        running += entry.amount
        lines.append((entry, running))
    return balance, lines


def statement_csv(lines: Sequence[tuple[LedgerEntry, int]]) -> str:
    """The statement as CSV (UTF-8, one row per entry, amounts in minor units)."""
    return csv_text(["date", "kind", "order_id", "refund_id", "payout_id", "amount", "currency", "balance", "note"],
                    ([entry.created_at.isoformat(), entry.kind, entry.order_id or "", entry.refund_id or "",
                      entry.payout_id or "", entry.amount, entry.currency, running, entry.note]
                     for entry, running in lines))
