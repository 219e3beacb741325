"""The one interface every payment method implements, and the small values passed through it."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Protocol, runtime_checkable

import msgspec

__all__ = [
    "BankAccount",
    "NotificationRejected",
    "PaymentEvent",
    "PaymentEventKind",
    "PaymentMethod",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentStart",
    "PaymentStatus",
    "ProviderError",
    "RefundRequest",
    "RefundResult",
]

Amount = Annotated[int, msgspec.Meta(ge=0, description="Minor units of the currency (VND has none).")]


class PaymentMethod(StrEnum):
    """How a buyer pays; the value is stored on payments and shown on orders."""

    STRIPE = "stripe"
    VIETQR = "vietqr"
    COD = "cod"


class PaymentStatus(StrEnum):
    """Where one payment attempt stands.

    `review` means money arrived that does not match what was asked (a bank transfer with the wrong
    amount): a person decides; it is never accepted silently.
    """

    PENDING = "pending"
    PAID = "paid"
    REVIEW = "review"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class BankAccount(msgspec.Struct, frozen=True, kw_only=True):
    """A Vietnamese bank account that receives VietQR transfers."""

    bank_bin: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$", description="The NAPAS BIN of the bank.")]
    account_number: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z]{1,19}$")]
    account_name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class PaymentRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider needs to start collecting the money for one order."""

    order_id: int
    order_code: str
    amount: Amount
    currency: str = "VND"
    description: str
    idempotency_key: str
    """Derived from the order and attempt, so a retried request never charges twice."""
    locale: str = "vi"
    success_url: str = ""
    cancel_url: str = ""
    customer_email: str | None = None
    bank_account: BankAccount | None = None
    """VietQR only: the merchant's account, or the platform's."""


class PaymentStart(msgspec.Struct, frozen=True, kw_only=True):
    """What the buyer does next: follow `redirect_url` (Stripe), scan `qr_payload` (VietQR) or wait."""

    method: PaymentMethod
    status: PaymentStatus
    provider_reference: str | None = None
    """Stripe's Checkout Session id; the order code for VietQR; None for cash."""
    redirect_url: str | None = None
    qr_payload: str | None = None
    bank_account: BankAccount | None = None
    expires_at: datetime | None = None


class PaymentEventKind(StrEnum):
    """What a provider's notification means, independent of the provider's own vocabulary."""

    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    TRANSFER_RECEIVED = "transfer_received"
    """A bank says money arrived; amount and order code are checked before anything is paid."""
    REFUND_UPDATED = "refund_updated"
    """A refund changed at the provider after it was made (e.g. it failed or was cancelled)."""
    IGNORED = "ignored"


class PaymentEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A verified notification, normalised; `event_id` is unique per provider and makes replays no-ops."""

    method: PaymentMethod
    event_id: str
    kind: PaymentEventKind
    provider_type: str
    """The provider's own event name, e.g. checkout.session.completed."""
    provider_reference: str | None = None
    payment_intent: str | None = None
    order_code: str | None = None
    amount: int | None = None
    amount_refunded: int | None = None
    currency: str | None = None
    occurred_at: datetime | None = None
    account_number: str | None = None
    """The account the money reached, when the bank says (bank transfers only)."""
    refund_reference: str | None = None
    refund_status: str | None = None
    """A refund's provider id and its status now (refund events only)."""


class RefundRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Give back all or part of a paid payment."""

    provider_reference: str | None
    payment_intent: str | None = None
    amount: Amount
    currency: str = "VND"
    idempotency_key: str
    reason: str = ""


class RefundResult(msgspec.Struct, frozen=True, kw_only=True):
    """What the provider did with a refund; `manual` means a person returns the money (transfer, cash)."""

    reference: str | None
    amount: int
    status: str
    """succeeded, pending or manual."""


class ProviderError(Exception):
    """The provider refused or could not be reached; rendered as a 409 with the reason."""

    status_code = 409
    code = "payment_provider_error"

    def __init__(self, message: str, *, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotificationRejected(Exception):
    """A webhook that is unsigned, forged, stale or malformed: answered with 400 and changes nothing."""

    status_code = 400
    code = "notification_rejected"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.details = None


@runtime_checkable
class PaymentProvider(Protocol):
    """Start a payment, verify the provider's notifications, refund, and report status."""

    @property
    def method(self) -> PaymentMethod:
        """The method this provider implements."""
        ...

    @property
    def label(self) -> str:
        """An English label for choosers; templates translate it with `_()`."""
        ...

    @property
    def expires_after(self) -> timedelta | None:
        """How long an unpaid order waits before it is cancelled; None: never (cash on delivery)."""
        ...

    async def start(self, request: PaymentRequest) -> PaymentStart:
        """Begin collecting `request.amount`; safe to repeat with the same idempotency key."""
        ...

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Check the notification's signature and freshness and normalise it; raise NotificationRejected."""
        ...

    async def refund(self, request: RefundRequest) -> RefundResult:
        """Give back all or part of a payment."""
        ...

    async def fetch_status(self, provider_reference: str) -> PaymentStatus | None:
        """Ask the provider; None when only our own records know (bank transfer, cash)."""
        ...
