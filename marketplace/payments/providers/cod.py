"""Cash on delivery: confirmed at checkout, marked paid by the merchant when the goods are handed over."""

from collections.abc import Mapping
from datetime import timedelta

from marketplace.payments.providers.protocol import (
    NotificationRejected,
    PaymentEvent,
    PaymentMethod,
    PaymentRequest,
    PaymentStart,
    PaymentStatus,
    RefundRequest,
    RefundResult,
)

__all__ = ["CashOnDeliveryProvider"]


class CashOnDeliveryProvider:
    """No money moves online: the payment stays pending until the merchant records the cash."""

    @property
    def method(self) -> PaymentMethod:
        return PaymentMethod.COD

    @property
    def label(self) -> str:
        return "Cash on delivery"

    @property
    def expires_after(self) -> timedelta | None:
        # The order is confirmed at checkout; nothing is owed until delivery, so it never expires.
        return None

    async def start(self, request: PaymentRequest) -> PaymentStart:
        """Nothing to call: the order is confirmed and the cash is collected on delivery."""
        return PaymentStart(method=PaymentMethod.COD, status=PaymentStatus.PENDING)

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Cash on delivery has no notifications; anything claiming to be one is refused."""
        raise NotificationRejected("cash on delivery has no notifications")

    async def refund(self, request: RefundRequest) -> RefundResult:
        """The merchant hands the cash back; we record it."""
        return RefundResult(reference=None, amount=request.amount, status="manual")

    async def fetch_status(self, provider_reference: str) -> PaymentStatus | None:
        """Only our own records know whether the cash was collected."""
        return None
