"""Payment rules: which payments a checkout needs, starting them, confirming money, cash, review decisions,
who may act on a payment, bank accounts and payouts (refunds are in `refunds.py`).

Every function runs inside the caller's transaction. Orders change only through
`marketplace.orders.service.transition`, the one place their state machine is enforced, and are read through
`marketplace.orders.repository`.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.notifications.outbox import enqueue, enqueue_merchant
from marketplace.orders import repository as orders_repo
from marketplace.orders.models import CheckoutContact, OrderHeader
from marketplace.orders.service import transition
from marketplace.payments import ledger
from marketplace.payments import repository as repo
from marketplace.payments.errors import (
    PaymentConflict,
    PaymentForbidden,
    PaymentNotFound,
    PaymentUnavailable,
)
from marketplace.payments.models import Payment, Payout, PayoutForm
from marketplace.payments.providers.protocol import (
    BankAccount,
    PaymentMethod,
    PaymentProvider,
    PaymentRequest,
)
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import Actor, MerchantAccess, merchant_access, require_user
from marketplace.platform.audit import record_action, record_if_agent
from marketplace.platform.errors import AppError

__all__ = [
    "PAYMENT_CODE_PREFIX", "payment_code", "find_payment_codes", "prepare_checkout_payments",
    "start_checkout_payments", "mark_paid", "confirm_transfer", "collect_cash",
    "resolve_review", "get_payment_for", "payments_for_order", "offered_methods",
    "ACTIVE_STATUSES", "ENDED_STATUSES", "PAID_STATUSES", "CASH_PAYABLE_STATUSES", "require_merchant",
    "set_bank_account", "collected_by_platform", "refuse_agent", "get_checkout_for", "may_manage", "record_payout",
    "get_bank_account_for",
]

PAYMENT_CODE_PREFIX = "NTM"
# Payouts wait this long after a merchant's bank account is set or changed, so its owner can object.
PAYOUT_HOLD = timedelta(hours=72)
CODE_DIGITS = 6
MAX_CODE_DIGITS = 12
# The prefix, then digit groups separated by whitespace only (ASCII digits: re's \d also takes others).
_CODE_PATTERN = re.compile(rf"{PAYMENT_CODE_PREFIX}\s*([0-9]+(?:[ \t\r\n]+[0-9]+)*)")
# The money is (or may still be) collected: a checkout with one of these must not start another attempt.
ACTIVE_STATUSES = frozenset({"pending", "paid", "review", "partially_refunded", "refunded"})
ENDED_STATUSES = frozenset({"failed", "expired", "cancelled"})
PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})
CASH_PAYABLE_STATUSES = frozenset({"confirmed", "shipped", "delivered", "completed"})


def payment_code(payment_id: int) -> str:
    """The transfer content that identifies a payment in a bank statement, e.g. NTM000042."""
    return f"{PAYMENT_CODE_PREFIX}{payment_id:06d}"


def find_payment_codes(description: str) -> list[str]:
    """Payment codes in a bank transfer description; banks may change case or split a code with spaces.

    The code is read before any whitespace is removed, so digits that follow it (a phone or account
    number after a space) never join it: digit groups are taken only until the code is complete (6
    digits; a code of more digits never starts with 0).
    """
    codes: list[str] = []
    for match in _CODE_PATTERN.finditer(description.upper()):
        digits = ""
        for group in match.group(1).split():
            digits += group
            if len(digits) >= CODE_DIGITS:
                break
        if len(digits) < CODE_DIGITS:
            continue
        if digits.startswith("0"):
            digits = digits[:CODE_DIGITS]
        if len(digits) <= MAX_CODE_DIGITS:
            codes.append(f"{PAYMENT_CODE_PREFIX}{int(digits):06d}")
    return codes


def collected_by_platform(payment: Payment) -> bool:
    """Stripe and transfers to the platform's account are held by the platform; cash and own accounts are not."""
    return payment.method == "stripe" or (payment.method == "vietqr" and payment.payee_merchant_id is None)


async def offered_methods(conn: asyncpg.Connection, providers: Sequence[PaymentProvider],
                          payment_settings: PaymentSettings, merchant_ids: Sequence[int]) -> list[str]:
    """The methods a checkout for these merchants can offer (from `configured_providers`): VietQR needs
    the platform's account, or an own account for every merchant in the checkout."""
    offered: list[str] = []
    for provider in providers:
        if provider.method == PaymentMethod.VIETQR and payment_settings.platform_bank is None:
            accounts = [await repo.get_payable_merchant_bank_account(conn, merchant_id, PAYOUT_HOLD)
                        for merchant_id in merchant_ids]
            if not merchant_ids or any(account is None for account in accounts):
                continue
        offered.append(str(provider.method))
    return offered


async def _payee(conn: asyncpg.Connection, method: str, order: OrderHeader,
                 payment_settings: PaymentSettings) -> tuple[int | None, BankAccount | None]:
    """Who receives an order's money: (merchant id or None for the platform, VietQR account)."""
    if method == "cod":
        return order.merchant_id, None
    if method == "vietqr":
        # An account set or changed less than PAYOUT_HOLD ago receives nothing yet: whoever took over a shop
        # would otherwise have buyers pay the new account directly, around the payout hold. Until then the
        # buyers pay the platform, and the money reaches the merchant by a payout, once the hold is over.
        account = await repo.get_payable_merchant_bank_account(conn, order.merchant_id, PAYOUT_HOLD)
        if account is not None:
            return order.merchant_id, account
        if payment_settings.platform_bank is None:
            raise PaymentUnavailable("No bank account can receive this transfer.")
        return None, payment_settings.platform_bank
    return None, None


async def prepare_checkout_payments(conn: asyncpg.Connection, checkout_id: int,
                                    payment_settings: PaymentSettings) -> list[Payment]:
    """The open payments a checkout needs, created if missing (safe to call again; locks the orders).

    Stripe takes the whole checkout in one payment; VietQR one payment per receiving account (a
    merchant's own, or the platform's for the rest); cash one per order, collected by each merchant.
    """
    orders = await orders_repo.list_checkout_order_headers(conn, checkout_id, for_update=True)
    if not orders:
        raise PaymentNotFound("No such checkout.", code="checkout_not_found")
    existing = await repo.list_payments_for_checkout(conn, checkout_id)
    covered = {po.order_id for p in existing if p.status in ACTIVE_STATUSES
               for po in await repo.list_payment_orders(conn, p.id)}
    groups: dict[tuple[int | None, int | None], list[OrderHeader]] = {}
    for order in orders:
        payable = CASH_PAYABLE_STATUSES if order.payment_method == "cod" else frozenset({"pending_payment"})
        if order.id in covered or order.status not in payable:
            continue
        payee, _ = await _payee(conn, order.payment_method, order, payment_settings)
        key = (payee, order.id if order.payment_method == "cod" else None)
        groups.setdefault(key, []).append(order)
    for (payee, _), members in groups.items():
        method = members[0].payment_method
        _, bank = await _payee(conn, method, members[0], payment_settings)
        attempt = 1 + sum(1 for p in existing if p.method == method and p.payee_merchant_id == payee)
        scope = f"order-{members[0].id}" if method == "cod" else f"payee-{payee or 'platform'}"
        payment = await repo.insert_payment(
            conn, checkout_id=checkout_id, method=method, amount=sum(o.total for o in members),
            currency=members[0].currency, payee_merchant_id=payee, bank=bank,
            idempotency_key=f"checkout-{checkout_id}-{method}-{scope}-attempt-{attempt}")
        if payment is None:
            raise PaymentConflict("This payment is being started elsewhere; try again.")
        for order in members:
            await repo.insert_payment_order(conn, payment.id, order.id, order.total)
    return [p for p in await repo.list_payments_for_checkout(conn, checkout_id) if p.status in ACTIVE_STATUSES]


async def start_checkout_payments(conn: asyncpg.Connection, providers: Sequence[PaymentProvider],
                                  payment_settings: PaymentSettings, checkout_id: int, *, locale: str,
                                  return_url: str, cancel_url: str,
                                  description: str = "") -> list[Payment]:
    """Prepare the checkout's payments and ask each provider to start the ones not started yet."""
    checkout = await orders_repo.get_checkout_contact(conn, checkout_id)
    if checkout is None:
        raise PaymentNotFound("No such checkout.", code="checkout_not_found")
    by_method = {str(provider.method): provider for provider in providers}
    for payment in await prepare_checkout_payments(conn, checkout_id, payment_settings):
        if payment.status != "pending" or payment.provider_reference is not None or payment.method == "cod":
            continue
        provider = by_method.get(payment.method)
        if provider is None:
            raise PaymentUnavailable(f"{payment.method} payments are not offered now.")
        code = payment_code(payment.id)
        bank = (BankAccount(bank_bin=payment.bank_bin, account_number=payment.bank_account_number or "",
                            account_name=payment.bank_account_name or "") if payment.bank_bin else None)
        started = await provider.start(PaymentRequest(
            order_id=checkout_id, order_code=code, amount=payment.amount, currency=payment.currency,
            description=description or f"Order {code}", idempotency_key=payment.idempotency_key, locale=locale,
            success_url=return_url, cancel_url=cancel_url, customer_email=checkout.contact_email or None,
            bank_account=bank))
        await repo.update_payment_started(conn, payment.id, provider_reference=started.provider_reference,
                                          redirect_url=started.redirect_url, qr_payload=started.qr_payload,
                                          expires_at=started.expires_at)
        if payment.method == "vietqr" and bank is not None:
            await enqueue(conn, "vietqr_instructions", user_id=checkout.buyer_user_id,
                          dedupe_key=f"vietqr_instructions:{payment.id}",
                          data={"amount": payment.amount, "currency": payment.currency, "checkout_id": checkout_id,
                                "bank": bank.bank_bin, "account_no": bank.account_number,
                                "account_name": bank.account_name, "reference": code})
    return [p for p in await repo.list_payments_for_checkout(conn, checkout_id) if p.status in ACTIVE_STATUSES]


async def mark_paid(conn: asyncpg.Connection, payment: Payment, payment_settings: PaymentSettings, *,
                    amount_received: int, actor_user_id: int | None, reason: str,
                    payment_intent: str | None = None) -> str:
    """Money for `payment` arrived in full: confirm its orders and credit the ledger.

    Returns the outcome. If an order was cancelled meanwhile (expired before the money came), the
    payment goes to review for a person to refund: money is never kept for a cancelled order.
    """
    orders = [await orders_repo.get_order_header(conn, po.order_id, for_update=True)
              for po in await repo.list_payment_orders(conn, payment.id)]
    # Cash is collected on delivery: its orders are confirmed (or already on their way, or delivered).
    expected = CASH_PAYABLE_STATUSES if payment.method == "cod" else frozenset({"pending_payment"})
    stale = [o.id for o in orders if o is not None and o.status not in expected]
    if stale:
        await repo.update_payment_state(
            conn, payment.id, status="review", amount_received=amount_received, payment_intent=payment_intent,
            review_reason=f"paid after orders {', '.join(map(str, stale))} were cancelled or changed: refund")
        return "flagged_order_not_payable"
    await repo.update_payment_state(conn, payment.id, status="paid", amount_received=amount_received,
                                    payment_intent=payment_intent, paid=True)
    for order in orders:
        if order is not None and order.status == "pending_payment":
            await transition(conn, order.id, "confirmed", actor_user_id, reason)
    buyers = {o.buyer_user_id for o in orders if o is not None}
    for buyer_id in buyers:
        await enqueue(conn, "payment_received", user_id=buyer_id, dedupe_key=f"payment_received:{payment.id}",
                      data={"amount": amount_received, "currency": payment.currency,
                            "checkout_id": payment.checkout_id})
    await ledger.record_paid_orders(conn, payment, [o for o in orders if o is not None],
                                    payment_settings.platform_fee_bps,
                                    collected_by_platform=collected_by_platform(payment))
    return "paid"


async def get_payment_for(conn: asyncpg.Connection, actor: Actor | None, payment_id: int, *,
                          manage: bool = False) -> Payment:
    """A payment for its buyer (reading), its merchants or an admin; 404 for anyone else."""
    user_id = require_user(actor)
    payment = await repo.get_payment(conn, payment_id, for_update=manage)
    if payment is None:
        raise PaymentNotFound("No such payment.")
    if actor is not None and actor.has_role("admin"):
        return payment
    orders = [await orders_repo.get_order_header(conn, po.order_id)
              for po in await repo.list_payment_orders(conn, payment.id)]
    if not manage and any(o is not None and o.buyer_user_id == user_id for o in orders):
        return payment
    if manage and collected_by_platform(payment):
        # Only the platform can see its own account; merchants cannot confirm money they did not receive.
        raise PaymentForbidden("Only an administrator can confirm money paid to the platform.")
    for order in orders:
        if order is None:
            continue
        try:
            access = await merchant_access(conn, actor, order.merchant_id)
        except AppError:
            continue
        if manage and access.is_agent:
            # Whether money reached a merchant's own bank account is the merchant's (or an admin's) call:
            # an assisting agent cannot see that account, so it may not confirm or settle payments.
            raise PaymentForbidden("An assisting agent cannot confirm or settle payments; ask the merchant.",
                                   code="agent_not_allowed")
        return payment
    raise PaymentNotFound("No such payment.")


async def confirm_transfer(conn: asyncpg.Connection, actor: Actor | None, payment_id: int,
                           payment_settings: PaymentSettings, note: str = "") -> Payment:
    """The receiving merchant (own account) or an admin confirms a VietQR transfer arrived in full."""
    payment = await get_payment_for(conn, actor, payment_id, manage=True)
    if payment.method != "vietqr":
        raise PaymentConflict("Only bank transfers are confirmed by hand.")
    if payment.status != "pending":
        raise PaymentConflict(f"This payment is {payment.status}; nothing to confirm.")
    outcome = await mark_paid(conn, payment, payment_settings, amount_received=payment.amount,
                              actor_user_id=require_user(actor), reason=note or "bank transfer confirmed")
    if outcome != "paid":
        raise PaymentConflict("The order was cancelled before the money was confirmed; refund it instead.")
    return await _reload(conn, payment.id)


async def collect_cash(conn: asyncpg.Connection, actor: Actor | None, order_id: int,
                       payment_settings: PaymentSettings) -> Payment:
    """The merchant (or an admin) records the cash collected on delivery of an order."""
    order = await orders_repo.get_order_header(conn, order_id, for_update=True)
    if order is None:
        raise PaymentNotFound("No such order.", code="order_not_found")
    access = await merchant_access(conn, actor, order.merchant_id)
    if order.payment_method != "cod":
        raise PaymentConflict("This order is not paid in cash on delivery.")
    if order.status not in CASH_PAYABLE_STATUSES:
        raise PaymentConflict(f"An order that is {order.status} cannot be marked paid.")
    await prepare_checkout_payments(conn, order.checkout_id, payment_settings)
    payment = next((p for p in await repo.list_payments_for_order(conn, order_id)
                    if p.method == "cod" and p.status in ACTIVE_STATUSES), None)
    if payment is None:
        raise PaymentNotFound("No cash payment for this order.")
    if payment.status != "pending":
        raise PaymentConflict("The cash for this order was already recorded.")
    locked = await repo.get_payment(conn, payment.id, for_update=True)
    assert locked is not None
    await mark_paid(conn, locked, payment_settings, amount_received=locked.amount,
                    actor_user_id=require_user(actor), reason="cash collected on delivery")
    # Agents often stand beside a producer at delivery, so they may record the cash; it is audited.
    await record_if_agent(conn, access, "payments.cash_collected",
                          {"order_id": order_id, "payment_id": payment.id, "amount": locked.amount})
    return await _reload(conn, payment.id)


async def resolve_review(conn: asyncpg.Connection, actor: Actor | None, payment_id: int, *, accept: bool,
                         payment_settings: PaymentSettings, note: str = "") -> Payment:
    """A person decides on a flagged payment: accept what arrived as full payment, or record it returned."""
    payment = await get_payment_for(conn, actor, payment_id, manage=True)
    if payment.status != "review":
        raise PaymentConflict("This payment is not waiting for a decision.")
    user_id = require_user(actor)
    if accept:
        outcome = await mark_paid(conn, payment, payment_settings, amount_received=payment.amount_received,
                                  actor_user_id=user_id, reason=note or "accepted after review")
        if outcome != "paid":
            raise PaymentConflict("The orders can no longer be confirmed; return the money instead.")
    else:
        # The money goes back by hand (transfer or card refund made by a person); nothing was booked for it.
        attempt = await repo.count_refunds_for_payment(conn, payment.id) + 1
        if payment.amount_received > 0:
            await repo.insert_refund(conn, payment_id=payment.id, order_id=None, amount=payment.amount_received,
                                     status="manual", provider_reference=None, reason=note or "returned after review",
                                     idempotency_key=f"refund-payment-{payment.id}-{attempt}", created_by=user_id)
        await repo.update_payment_state(conn, payment.id, status="refunded",
                                        amount_refunded=payment.amount_received)
    return await _reload(conn, payment.id)


def refuse_agent(access: MerchantAccess, action: str) -> None:
    """Money leaving a merchant (refunds, where transfers go) is the merchant's or an admin's decision."""
    if access.is_agent:
        raise PaymentForbidden(f"An assisting agent cannot {action}; ask the merchant.", code="agent_not_allowed")


async def require_merchant(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> None:
    """The actor manages this merchant (owner, assisting agent) or is an admin; 404 otherwise."""
    await merchant_access(conn, actor, merchant_id)


async def set_bank_account(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int,
                           account: BankAccount) -> None:
    """A merchant sets its own VietQR account; later transfers for its orders go there."""
    access = await merchant_access(conn, actor, merchant_id)
    refuse_agent(access, "change where a merchant is paid")
    previous = await repo.get_merchant_bank_account(conn, merchant_id)
    await repo.upsert_merchant_bank_account(conn, merchant_id, account)
    # Whoever took over an account would first change where its money goes: the change is in the audit log,
    # the shop's contact is told (its owner, or its phone while nobody has taken it over), and payouts wait
    # PAYOUT_HOLD (see record_payout).
    await record_action(conn, require_user(actor), merchant_id, "payments.bank_account_changed", {
        "by_user_id": access.user_id, "via": access.via,
        "previous": None if previous is None else _masked(previous), "new": _masked(account),
        "notify": await repo.merchant_contact(conn, merchant_id),
        "payouts_held_until": (datetime.now(UTC) + PAYOUT_HOLD).isoformat()})
    await enqueue_merchant(conn, "merchant_bank_account_changed", merchant_id,
                           data={"last4": account.account_number[-4:]})


def _masked(account: BankAccount) -> dict[str, str]:
    return {"bank_bin": account.bank_bin, "account_number": "…" + account.account_number[-4:]}


async def get_bank_account_for(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> BankAccount | None:
    """A merchant's own VietQR account, for whoever manages the merchant (None: buyers pay the platform)."""
    await merchant_access(conn, actor, merchant_id)
    return await repo.get_merchant_bank_account(conn, merchant_id)


async def may_manage(conn: asyncpg.Connection, actor: Actor | None, merchant_id: int) -> bool:
    """True when the actor manages this merchant (owner, assisting agent) or is an admin."""
    try:
        await merchant_access(conn, actor, merchant_id)
    except AppError:
        return False
    return True


async def get_checkout_for(conn: asyncpg.Connection, actor: Actor | None, checkout_id: int) -> CheckoutContact:
    """One's own checkout (any, for an admin); 404 for anyone else, so checkout ids do not leak."""
    checkout = await orders_repo.get_checkout_contact(conn, checkout_id)
    if checkout is None or actor is None or (
            checkout.buyer_user_id != actor.user_id and not actor.has_role("admin")):
        raise PaymentNotFound("No such checkout.", code="checkout_not_found")
    return checkout


async def record_payout(conn: asyncpg.Connection, actor: Actor | None, data: PayoutForm) -> Payout:
    """An admin records money sent to a merchant (which must exist)."""
    # The routes admit admins only; the rule holds for library callers too.
    if actor is None or not actor.has_role("admin"):
        raise PaymentForbidden("Only an administrator can record a payout.")
    if not await repo.exists_merchant(conn, data.merchant_id):
        raise PaymentNotFound("No such merchant.", code="merchant_not_found")
    changed_at = await repo.bank_account_changed_at(conn, data.merchant_id)
    if changed_at is not None and changed_at + PAYOUT_HOLD > datetime.now(UTC):
        until = changed_at + PAYOUT_HOLD
        raise PaymentConflict("The merchant's bank account changed less than 72 hours ago; payouts are held.",
                              code="payouts_held", details={"until": until.isoformat()})
    payout = await ledger.record_payout(conn, merchant_id=data.merchant_id, amount=data.amount, method=data.method,
                                        external_reference=data.external_reference, note=data.note,
                                        created_by=actor.user_id if actor else None)
    await enqueue_merchant(conn, "merchant_payout", data.merchant_id,
                           data={"amount": data.amount, "currency": "VND",
                                 "reference": data.external_reference or "-"})
    return payout


async def _reload(conn: asyncpg.Connection, payment_id: int) -> Payment:
    payment = await repo.get_payment(conn, payment_id)
    assert payment is not None
    return payment


async def payments_for_order(conn: asyncpg.Connection, order_id: int) -> list[Payment]:
    """Every attempt that covers an order (for the order page: how it was paid)."""
    return await repo.list_payments_for_order(conn, order_id)
