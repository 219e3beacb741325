"""Every Stripe call in one place: Checkout Sessions, refunds, status, and verified webhook events."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import stripe

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

__all__ = ["StripeProvider", "WEBHOOK_TOLERANCE_SECONDS"]

WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe lets a Checkout Session live between 30 minutes and 24 hours.
MIN_SESSION_LIFETIME = timedelta(minutes=30)
MAX_SESSION_LIFETIME = timedelta(hours=24)
# Stripe takes amounts in the currency's minor units, as we store them; VND is zero-decimal there, so
# 150000 is ₫150,000 (never multiplied by 100).
# Stripe Checkout has no Arabic page; "auto" lets it follow the browser.
CHECKOUT_LOCALES = {"vi": "vi", "en": "en", "zh": "zh", "ko": "ko", "ja": "ja", "ru": "ru", "fr": "fr"}

_EVENT_KINDS = {
    "checkout.session.completed": PaymentEventKind.PAID,
    "checkout.session.async_payment_succeeded": PaymentEventKind.PAID,
    "checkout.session.async_payment_failed": PaymentEventKind.FAILED,
    "checkout.session.expired": PaymentEventKind.EXPIRED,
    "payment_intent.payment_failed": PaymentEventKind.FAILED,
    "charge.refunded": PaymentEventKind.REFUNDED,
    "refund.failed": PaymentEventKind.REFUND_UPDATED,
    "refund.updated": PaymentEventKind.REFUND_UPDATED,
    "charge.refund.updated": PaymentEventKind.REFUND_UPDATED,
}


class _EventData(msgspec.Struct):
    object: dict[str, Any]


class _Event(msgspec.Struct):
    id: str
    type: str
    data: _EventData
    created: int | None = None


class _HTTPXClient(stripe.HTTPXClient):
    """Stripe's httpx client, sending the encoded body as `content=`.

    stripe 16 passes bytes as `data=`, which httpx deprecates with a warning on every call (and which
    becomes an APIConnectionError wherever warnings are errors).
    """

    def _get_request_args_kwargs(self, method: str, url: str, headers: Mapping[str, str],
                                 post_data: Any) -> Any:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data", None)
        if body:
            kwargs["content"] = body
        return args, kwargs


class StripeProvider:
    """Stripe Checkout (hosted page) with idempotency keys; webhooks verified with the whsec_ secret."""

    def __init__(self, secret_key: str, webhook_secret: str, *, api_base: str | None = None,
                 expires_after: timedelta = timedelta(minutes=30)) -> None:
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base
        self._expires_after = expires_after

    @property
    def method(self) -> PaymentMethod:
        return PaymentMethod.STRIPE

    @property
    def label(self) -> str:
        return "Card (Stripe)"

    @property
    def expires_after(self) -> timedelta | None:
        return self._expires_after

    def _client(self) -> tuple[stripe.StripeClient, _HTTPXClient]:
        # No telemetry file in the home directory, and no global state: one client per call, closed after.
        stripe.enable_telemetry = False
        http = _HTTPXClient(timeout=15)
        addresses: dict[str, str] = {}
        if self._api_base:
            addresses = {"api": self._api_base, "files": self._api_base, "connect": self._api_base}
        client = stripe.StripeClient(self._secret_key, http_client=http, max_network_retries=2,
                                     base_addresses=addresses)  # type: ignore[arg-type]
        return client, http

    async def start(self, request: PaymentRequest) -> PaymentStart:
        """Create a Checkout Session; the idempotency key makes a retried start return the same session."""
        lifetime = min(max(self._expires_after, MIN_SESSION_LIFETIME), MAX_SESSION_LIFETIME)
        expires_at = datetime.now(UTC) + lifetime
        metadata = {"order_id": str(request.order_id), "order_code": request.order_code}
        params: dict[str, Any] = {
            "mode": "payment",
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": CHECKOUT_LOCALES.get(request.locale, "auto"),
            "client_reference_id": request.order_code,
            "expires_at": int(expires_at.timestamp()),
            "line_items": [{
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": request.amount,
                    "product_data": {"name": request.description[:250] or request.order_code},
                },
            }],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        client, http = self._client()
        try:
            session = await client.v1.checkout.sessions.create_async(
                params=params, options={"idempotency_key": request.idempotency_key})  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused the payment: {_reason(error)}") from error
        finally:
            await http.close_async()
        return PaymentStart(method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING,
                            provider_reference=session.id, redirect_url=session.url, expires_at=expires_at)

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Check Stripe-Signature (HMAC-SHA256, at most 300 s old) and normalise the event."""
        signature = headers.get("stripe-signature")
        if not signature:
            raise NotificationRejected("missing Stripe-Signature header")
        try:
            stripe.WebhookSignature.verify_header(body, signature, self._webhook_secret,
                                                  tolerance=WEBHOOK_TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as error:
            raise NotificationRejected(f"signature refused: {error.user_message or error}") from None
        try:
            event = msgspec.json.decode(body, type=_Event)
        except msgspec.DecodeError as error:  # malformed JSON, and (a subclass) the wrong shape
            raise NotificationRejected(f"not a Stripe event: {error}") from None
        return normalise_event(event)

    async def refund(self, request: RefundRequest) -> RefundResult:
        """Refund through Stripe's API against the payment intent."""
        if not request.payment_intent:
            raise ProviderError("this Stripe payment has no payment intent to refund")
        client, http = self._client()
        try:
            refund = await client.v1.refunds.create_async(
                params={"payment_intent": request.payment_intent, "amount": request.amount,
                        "metadata": {"reason": request.reason[:500]}},
                options={"idempotency_key": request.idempotency_key})
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused the refund: {_reason(error)}") from error
        finally:
            await http.close_async()
        return RefundResult(reference=refund.id, amount=refund.amount, status=refund.status or "pending")

    async def fetch_status(self, provider_reference: str) -> PaymentStatus | None:
        """Ask Stripe where the Checkout Session stands."""
        client, http = self._client()
        try:
            session = await client.v1.checkout.sessions.retrieve_async(provider_reference)
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe did not answer: {_reason(error)}") from error
        finally:
            await http.close_async()
        if session.payment_status == "paid":
            return PaymentStatus.PAID
        if session.status == "expired":
            return PaymentStatus.EXPIRED
        return PaymentStatus.PENDING


def _reason(error: stripe.StripeError) -> str:
    return error.user_message or type(error).__name__


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def normalise_event(event: _Event) -> PaymentEvent:
    """Map a Stripe event onto what it means for a payment; events we do not use become IGNORED."""
    obj = event.data.object
    kind = _EVENT_KINDS.get(event.type, PaymentEventKind.IGNORED)
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    reference: str | None = None
    payment_intent: str | None = None
    amount = amount_refunded = None
    refund_reference = refund_status = None
    if event.type.startswith("checkout.session."):
        reference = _text(obj.get("id"))
        payment_intent = _text(obj.get("payment_intent"))
        amount = _integer(obj.get("amount_total"))
        # A completed session can still be waiting for a delayed method; only "paid" is money.
        if event.type == "checkout.session.completed" and obj.get("payment_status") != "paid":
            kind = PaymentEventKind.IGNORED
    elif event.type.startswith("payment_intent."):
        payment_intent = _text(obj.get("id"))
        amount = _integer(obj.get("amount"))
    elif kind == PaymentEventKind.REFUND_UPDATED:
        payment_intent = _text(obj.get("payment_intent"))
        amount = _integer(obj.get("amount"))
        refund_reference = _text(obj.get("id"))
        refund_status = _text(obj.get("status"))
    elif event.type.startswith("charge."):
        payment_intent = _text(obj.get("payment_intent"))
        amount = _integer(obj.get("amount"))
        amount_refunded = _integer(obj.get("amount_refunded"))
    currency = _text(obj.get("currency"))
    return PaymentEvent(
        method=PaymentMethod.STRIPE,
        event_id=event.id,
        kind=kind,
        provider_type=event.type,
        provider_reference=reference,
        payment_intent=payment_intent,
        order_code=_text(metadata.get("order_code")) or _text(obj.get("client_reference_id")),
        amount=amount,
        amount_refunded=amount_refunded,
        currency=currency.upper() if currency else None,
        occurred_at=datetime.fromtimestamp(event.created, UTC) if event.created else None,
        refund_reference=refund_reference,
        refund_status=refund_status,
    )
