"""Payments, refunds, ledger entries and payouts as the service, API and pages read them."""

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from marketplace.orders.models import CheckoutContact, OrderHeader

__all__ = ["Payment", "PaymentOrder", "Refund", "LedgerEntry", "Payout", "MerchantBalance",
           "RefundForm", "PayoutForm", "BankAccountForm", "EventOutcome", "PaymentView", "StartPaymentForm",
           "ReviewResolution", "LedgerStatement", "OrderPayments", "PaymentsOverview", "PaymentNoteForm",
           "ReviewDecisionForm", "CheckoutPayments", "ButtonForm", "OrderChoice",
           "QueuedRefund", "RefundPaidForm"]


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt to collect money for one or more orders of a checkout."""

    id: int
    checkout_id: int
    method: str
    status: str
    amount: int
    currency: str
    payee_merchant_id: int | None
    bank_bin: str | None
    bank_account_number: str | None
    bank_account_name: str | None
    provider_reference: str | None
    payment_intent: str | None
    redirect_url: str | None
    qr_payload: str | None
    amount_received: int
    amount_refunded: int
    last_error: str | None
    review_reason: str | None
    idempotency_key: str
    expires_at: datetime | None
    paid_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PaymentOrder(msgspec.Struct, frozen=True):
    """The part of a payment that pays one order."""

    payment_id: int
    order_id: int
    amount: int


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    """Money given back for (part of) an order."""

    id: int
    payment_id: int
    order_id: int | None
    amount: int
    status: str
    provider_reference: str | None
    reason: str
    created_by: int | None
    created_at: datetime
    fee_return_pending: bool = False
    """A merchant's manual refund: the platform fee on it comes back once an admin approves."""


class QueuedRefund(msgspec.Struct, frozen=True, kw_only=True):
    """A refund an admin must pay back by hand (status `queued`), with the buyer to pay."""

    id: int
    order_id: int | None
    amount: int
    currency: str
    method: str
    reason: str
    created_at: datetime
    merchant_id: int | None
    buyer_name: str | None
    buyer_email: str | None
    buyer_phone: str | None


class RefundPaidForm(msgspec.Struct, frozen=True, kw_only=True):
    """An admin says a queued refund was sent back: the bank transaction (or receipt) that proves it."""

    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A signed line of a merchant's statement: positive is owed to the merchant."""

    id: int
    merchant_id: int
    kind: str
    amount: int
    currency: str
    order_id: int | None
    refund_id: int | None
    payout_id: int | None
    note: str
    created_at: datetime


class Payout(msgspec.Struct, frozen=True, kw_only=True):
    """Money the platform sent a merchant."""

    id: int
    merchant_id: int
    amount: int
    currency: str
    method: str
    external_reference: str
    note: str
    created_by: int | None
    created_at: datetime


class MerchantBalance(msgspec.Struct, frozen=True, kw_only=True):
    """Totals of a merchant's ledger; `balance` is what the platform owes now (negative: merchant owes)."""

    merchant_id: int
    sales: int
    fees: int
    refunds: int
    payouts: int
    balance: int
    currency: str = "VND"


class EventOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What a notification did; `duplicate` when the event id was seen before."""

    event_id: str
    outcome: str
    payment_id: int | None = None
    duplicate: bool = False


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as the JSON API returns it, with the orders it pays and what the buyer does next."""

    id: int
    checkout_id: int
    method: str
    status: str
    amount: int
    currency: str
    order_ids: list[int]
    redirect_url: str | None = None
    qr_payload: str | None = None
    bank_bin: str | None = None
    bank_account_number: str | None = None
    bank_account_name: str | None = None
    transfer_content: str | None = None
    amount_refunded: int = 0
    review_reason: str | None = None
    expires_at: datetime | None = None
    paid_at: datetime | None = None


class StartPaymentForm(msgspec.Struct, frozen=True):
    """Ask for the next step of paying a checkout (the method was chosen at checkout)."""

    checkout_id: int


class RefundForm(msgspec.Struct, frozen=True, kw_only=True):
    """Refund all (no amount) or part of an order."""

    amount: Annotated[int, msgspec.Meta(gt=0, le=10_000_000_000)] | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class PayoutForm(msgspec.Struct, frozen=True, kw_only=True):
    """An admin records money sent to a merchant."""

    merchant_id: int
    amount: Annotated[int, msgspec.Meta(gt=0, le=10_000_000_000)]
    method: Literal["bank_transfer", "cash", "stripe_connect"] = "bank_transfer"
    external_reference: Annotated[str, msgspec.Meta(max_length=200)] = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class BankAccountForm(msgspec.Struct, frozen=True, kw_only=True):
    """A merchant's VietQR account."""

    bank_bin: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
    account_number: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z]{1,19}$")]
    account_name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ReviewResolution(msgspec.Struct, frozen=True, kw_only=True):
    """A person's decision on a flagged transfer: accept it as payment, or refund it."""

    accept: bool
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class LedgerStatement(msgspec.Struct, frozen=True):
    """A merchant's balance and its ledger entries, oldest first."""

    balance: MerchantBalance
    entries: list[LedgerEntry]


class CheckoutPayments(msgspec.Struct, frozen=True, kw_only=True):
    """A checkout's payments as its page shows them."""

    checkout: CheckoutContact
    payments: list[PaymentView]
    can_retry: bool
    """An order still waits for money, so a failed or expired card payment may be tried again."""


class OrderPayments(msgspec.Struct, frozen=True, kw_only=True):
    """An order's payments as its page shows them, and what the visitor may still do."""

    order: OrderHeader
    payments: list[PaymentView]
    manage: bool
    """The visitor manages the order's merchant (or is an admin): they may confirm, decide and refund."""
    refundable: int
    cash_recorded: bool


class PaymentsOverview(msgspec.Struct, frozen=True, kw_only=True):
    """What an admin watches: balances, decisions to take, transfers and card events that need a person."""

    balances: list[MerchantBalance]
    merchant_names: dict[int, dict[str, str]]
    review: list[PaymentView]
    review_orders: dict[int, int]
    """The order to open for each payment in review."""
    unmatched: list[Any]
    flagged_card_events: list[Any]
    fee_approvals: list[Refund]
    queued_refunds: list[QueuedRefund] = msgspec.field(default_factory=list)
    """Refunds to pay back by hand (no provider could), oldest first."""


class PaymentNoteForm(msgspec.Struct, frozen=True, kw_only=True):
    """A person confirms a transfer from an order's page: an optional note, and the order to go back to."""

    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    order_id: int | None = None


class ReviewDecisionForm(msgspec.Struct, frozen=True, kw_only=True):
    """A person's decision on a flagged payment, from an order's page."""

    decision: Literal["accept", "return"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    order_id: int | None = None


class ButtonForm(msgspec.Struct, frozen=True):
    """A form that is only a button (and its CSRF token): nothing to read."""


class OrderChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The order a form about a payment came from, to show again."""

    order_id: int | None = None
