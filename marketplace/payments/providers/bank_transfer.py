"""VietQR bank transfer: a QR code and the same details as text; confirmed by a person or the bank."""

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec

from marketplace.payments.providers.protocol import (
    NotificationRejected,
    PaymentEvent,
    PaymentEventKind,
    PaymentMethod,
    PaymentRequest,
    PaymentStart,
    PaymentStatus,
    ProviderError,
    RefundRequest,
    RefundResult,
)
from marketplace.payments.providers.vietqr import build_payload

__all__ = ["BankNotification", "VietQRProvider", "sign_bank_notification", "transfer_purpose",
           "TIMESTAMP_HEADER", "SIGNATURE_HEADER"]

TIMESTAMP_HEADER = "x-bank-timestamp"
SIGNATURE_HEADER = "x-bank-signature"
NOTIFICATION_TOLERANCE_SECONDS = 300


class BankNotification(msgspec.Struct, frozen=True, forbid_unknown_fields=False):
    """What the bank (or its aggregator) posts when money arrives in the account."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    amount: Annotated[int, msgspec.Meta(gt=0)]
    description: Annotated[str, msgspec.Meta(max_length=500)]
    account_number: Annotated[str, msgspec.Meta(max_length=30)] = ""
    currency: str = "VND"
    occurred_at: datetime | None = None


def sign_bank_notification(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`: sha256=HMAC(secret, "<t>.<body>")."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def transfer_purpose(order_code: str) -> str:
    """The transfer content a buyer types or the QR carries: the order code in plain ASCII."""
    return re.sub(r"[^0-9A-Za-z]", "", order_code).upper()[:25]


class VietQRProvider:
    """A one-time VietQR code with the amount and the order code as purpose."""

    def __init__(self, *, webhook_secret: str | None,
                 expires_after: timedelta = timedelta(minutes=30)) -> None:
        self._webhook_secret = webhook_secret
        self._expires_after = expires_after

    @property
    def method(self) -> PaymentMethod:
        return PaymentMethod.VIETQR

    @property
    def label(self) -> str:
        return "Bank transfer (VietQR)"

    @property
    def expires_after(self) -> timedelta | None:
        return self._expires_after

    async def start(self, request: PaymentRequest) -> PaymentStart:
        """Build the QR payload for the merchant's (or platform's) account; nothing is called."""
        account = request.bank_account
        if account is None:
            raise ProviderError("no bank account is configured for VietQR payments")
        if request.currency != "VND":
            raise ProviderError("VietQR transfers are in VND only")
        payload = build_payload(account.bank_bin, account.account_number, request.amount,
                                transfer_purpose(request.order_code))
        return PaymentStart(method=PaymentMethod.VIETQR, status=PaymentStatus.PENDING,
                            provider_reference=transfer_purpose(request.order_code), qr_payload=payload,
                            bank_account=account, expires_at=datetime.now(UTC) + self._expires_after)

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Check the HMAC signature and timestamp, then read the transfer."""
        if not self._webhook_secret:
            raise NotificationRejected("bank notifications are not configured")
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not timestamp or not signature:
            raise NotificationRejected("missing signature or timestamp header")
        # str.isdigit() accepts "²" and other non-ASCII digits that int() refuses: ASCII digits only.
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise NotificationRejected("the timestamp is not a number")
        if abs(time.time() - int(timestamp)) > NOTIFICATION_TOLERANCE_SECONDS:
            raise NotificationRejected("timestamp outside the tolerance")
        # compare_digest refuses non-ASCII str; a header with such characters cannot be a hex digest anyway.
        if not signature.isascii():
            raise NotificationRejected("signature does not match")
        expected = sign_bank_notification(self._webhook_secret, body, int(timestamp))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise NotificationRejected("signature does not match")
        try:
            notification = msgspec.json.decode(body, type=BankNotification)
        except msgspec.DecodeError as error:  # malformed JSON, and (a subclass) the wrong shape
            raise NotificationRejected(f"not a bank notification: {error}") from None
        return PaymentEvent(
            method=PaymentMethod.VIETQR,
            event_id=notification.id,
            kind=PaymentEventKind.TRANSFER_RECEIVED,
            provider_type="bank.transfer",
            order_code=notification.description,
            amount=notification.amount,
            currency=notification.currency.upper(),
            occurred_at=notification.occurred_at,
            account_number=notification.account_number.strip() or None,
        )

    async def refund(self, request: RefundRequest) -> RefundResult:
        """A person transfers the money back; we record it."""
        return RefundResult(reference=None, amount=request.amount, status="manual")

    async def fetch_status(self, provider_reference: str) -> PaymentStatus | None:
        """Only our own records (confirmations, bank notifications) know."""
        return None
