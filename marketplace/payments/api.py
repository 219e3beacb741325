"""The payments JSON API under /api/v1/payments: webhooks, starting payments, confirmations, refunds, ledger."""

from typing import Annotated, Any

import asyncpg
from litestar import Request, Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.payments import get_provider, ledger, overview, refunds, service
from marketplace.payments.errors import PaymentConflict
from marketplace.payments.events import apply_event
from marketplace.payments.models import (
    BankAccountForm,
    EventOutcome,
    LedgerStatement,
    MerchantBalance,
    PaymentView,
    Payout,
    PayoutForm,
    QueuedRefund,
    Refund,
    RefundForm,
    RefundPaidForm,
    ReviewResolution,
)
from marketplace.payments.providers.protocol import BankAccount, NotificationRejected, PaymentMethod, PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.payments.web import PaymentsController, return_url, statement_csv_response
from marketplace.platform.principal import Principal
from marketplace.platform.settings import Settings

__all__ = ["router", "PaymentWebhooks", "PaymentApi"]

WEBHOOK_MAX_BYTES = 256 * 1024
# Who may call the admin routes (the controller's `signed_in` stays in force beside it).
ADMIN = {"roles": ("admin",)}


def _provider(providers: list[PaymentProvider], method: PaymentMethod) -> PaymentProvider:
    found = get_provider(providers, method)
    if found is None:
        raise NotificationRejected(f"{method} notifications are not configured")
    return found


async def _receive(request: Request[Any, Any, Any], pool: asyncpg.Pool, provider: PaymentProvider,
                   payment_settings: PaymentSettings) -> EventOutcome:
    # The body is read (capped by request_max_body_size) and verified before a pooled connection is
    # taken: a client sending its body slowly holds no connection, and a refused notification changes nothing.
    body = await request.body()
    event = provider.verify_notification(body, request.headers)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await apply_event(conn, event, payment_settings)
    except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
        # Another request changed the same order at the same moment; the sender retries non-2xx answers.
        raise PaymentConflict("The payment is being changed by another request; retry.",
                              code="payment_busy") from None


class PaymentWebhooks(PaymentsController):
    """Public payment endpoints: the offered methods, and notifications from Stripe and the bank,
    authenticated by signature (no session, no CSRF)."""

    tags = ["payments"]

    @post("/stripe/webhook", status_code=200, request_max_body_size=WEBHOOK_MAX_BYTES)
    async def stripe_webhook(self, request: Request[Any, Any, Any], pool: NamedDependency[asyncpg.Pool],
                             payment_providers: NamedDependency[list[PaymentProvider]],
                             payment_settings: NamedDependency[PaymentSettings]) -> EventOutcome:
        """Stripe events, verified with STRIPE_WEBHOOK_SECRET; unsigned, forged or stale ones get 400."""
        return await _receive(request, pool, _provider(payment_providers, PaymentMethod.STRIPE),
                              payment_settings)

    @post("/bank/webhook", status_code=200, request_max_body_size=WEBHOOK_MAX_BYTES)
    async def bank_webhook(self, request: Request[Any, Any, Any], pool: NamedDependency[asyncpg.Pool],
                           payment_providers: NamedDependency[list[PaymentProvider]],
                           payment_settings: NamedDependency[PaymentSettings]) -> EventOutcome:
        """A bank transfer arrived (HMAC-SHA256 of "<X-Bank-Timestamp>.<body>" in X-Bank-Signature)."""
        return await _receive(request, pool, _provider(payment_providers, PaymentMethod.VIETQR),
                              payment_settings)

    @get("/methods")
    async def list_methods(self, payment_providers: NamedDependency[list[PaymentProvider]],
                           payment_settings: NamedDependency[PaymentSettings]) -> list[str]:
        """The payment methods a checkout offers now (VietQR also where every merchant has an account)."""
        return [str(p.method) for p in payment_providers
                if p.method != PaymentMethod.VIETQR or payment_settings.platform_bank is not None]


class PaymentApi(PaymentsController):
    """Paying checkouts and managing payments, for buyers, merchants and admins."""

    opt = {"signed_in": True}
    tags = ["payments"]

    @post("/checkouts/{checkout_id:int}/start", status_code=200)
    async def start(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                    db: NamedDependency[asyncpg.Connection],
                    principal: NamedDependency[Principal | None], locale: NamedDependency[str],
                    settings: NamedDependency[Settings], payment_settings: NamedDependency[PaymentSettings],
                    payment_providers: NamedDependency[list[PaymentProvider]]) -> list[PaymentView]:
        """Start paying one's checkout: a Stripe redirect_url, a VietQR payload, or cash on delivery."""
        await service.get_checkout_for(db, principal, checkout_id)
        back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
        payments = await service.start_checkout_payments(db, payment_providers, payment_settings, checkout_id,
                                                         locale=locale, return_url=back, cancel_url=back)
        return [await overview.payment_view(db, p) for p in payments]

    @get("/checkouts/{checkout_id:int}")
    async def checkout_payments(self, checkout_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                principal: NamedDependency[Principal | None]) -> list[PaymentView]:
        """Every payment attempt of one's checkout."""
        await service.get_checkout_for(db, principal, checkout_id)
        return await overview.checkout_payment_views(db, checkout_id)

    @get("/{payment_id:int}")
    async def get_payment(self, payment_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                          principal: NamedDependency[Principal | None]) -> PaymentView:
        """One payment, for its buyer, its merchants or an admin."""
        return await overview.payment_view(db, await service.get_payment_for(db, principal, payment_id))

    @post("/{payment_id:int}/confirm", status_code=200)
    async def confirm(self, payment_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                      principal: NamedDependency[Principal | None],
                      payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
        """The receiving merchant or an admin confirms a bank transfer arrived in full."""
        payment = await service.confirm_transfer(db, principal, payment_id, payment_settings)
        return await overview.payment_view(db, payment)

    @post("/{payment_id:int}/review", status_code=200)
    async def review(self, payment_id: FromPath[int], data: JSONBody[ReviewResolution],
                     db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                     payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
        """Decide on a flagged payment: accept what arrived, or record it returned."""
        payment = await service.resolve_review(db, principal, payment_id, accept=data.accept,
                                               payment_settings=payment_settings, note=data.note)
        return await overview.payment_view(db, payment)

    @get("/orders/{order_id:int}")
    async def order_payments(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                             principal: NamedDependency[Principal | None]) -> list[PaymentView]:
        """How an order was (or is being) paid."""
        payments = await service.payments_for_order(db, order_id)
        visible = [await service.get_payment_for(db, principal, p.id) for p in payments]
        return [await overview.payment_view(db, p) for p in visible]

    @post("/orders/{order_id:int}/cash-collected", status_code=200)
    async def cash_collected(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                             principal: NamedDependency[Principal | None],
                             payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
        """The merchant records the cash collected on delivery."""
        payment = await service.collect_cash(db, principal, order_id, payment_settings)
        return await overview.payment_view(db, payment)

    @post("/orders/{order_id:int}/refunds", status_code=201)
    async def refund(self, order_id: FromPath[int], data: JSONBody[RefundForm],
                     pool: NamedDependency[asyncpg.Pool], principal: NamedDependency[Principal | None],
                     payment_settings: NamedDependency[PaymentSettings],
                     payment_providers: NamedDependency[list[PaymentProvider]]) -> Refund:
        """Refund all (no amount) or part of a paid order through the provider that took the money."""
        return await refunds.refund_committing_failures(pool, payment_providers, principal, order_id,
                                                payment_settings, amount=data.amount, reason=data.reason)

    @get("/review", opt=ADMIN)
    async def review_queue(self, db: NamedDependency[asyncpg.Connection]) -> list[PaymentView]:
        """Payments waiting for a person's decision (wrong amounts, money for cancelled orders)."""
        return await overview.payments_in_review(db)

    @put("/merchants/{merchant_id:int}/bank-account")
    async def set_bank_account(self, merchant_id: FromPath[int], data: JSONBody[BankAccountForm],
                               db: NamedDependency[asyncpg.Connection],
                               principal: NamedDependency[Principal | None]) -> BankAccountForm:
        """A merchant's own VietQR account (otherwise buyers pay the platform's)."""
        await service.set_bank_account(db, principal, merchant_id, BankAccount(
            bank_bin=data.bank_bin, account_number=data.account_number, account_name=data.account_name))
        return data

    @get("/merchants/{merchant_id:int}/ledger")
    async def merchant_ledger(
        self, merchant_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal | None],
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
    ) -> LedgerStatement:
        """What the platform owes a merchant, with every entry."""
        await service.require_merchant(db, principal, merchant_id)
        balance, lines = await ledger.statement(db, merchant_id)
        return LedgerStatement(balance=balance, entries=[entry for entry, _ in lines][-limit:])

    @get("/merchants/{merchant_id:int}/ledger.csv")
    async def merchant_ledger_csv(self, merchant_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                  principal: NamedDependency[Principal | None]) -> Response[str]:
        """The statement as CSV."""
        await service.require_merchant(db, principal, merchant_id)
        _, lines = await ledger.statement(db, merchant_id)
        return statement_csv_response(lines, merchant_id)

    @get("/balances", opt=ADMIN)
    async def balances(self, db: NamedDependency[asyncpg.Connection]) -> list[MerchantBalance]:
        """Every merchant's balance, largest owed first."""
        return await overview.merchant_balances(db)

    @post("/refunds/{refund_id:int}/approve-fee", opt=ADMIN, status_code=200)
    async def approve_fee_return(self, refund_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                 principal: NamedDependency[Principal | None],
                                 payment_settings: NamedDependency[PaymentSettings]) -> Refund:
        """An admin accepts a merchant's manual refund: the platform fee on it is given back."""
        return await refunds.approve_fee_return(db, principal, refund_id, payment_settings)

    @get("/refunds/queued", opt=ADMIN)
    async def queued_refunds(self, db: NamedDependency[asyncpg.Connection],
                             principal: NamedDependency[Principal | None]) -> list[QueuedRefund]:
        """Refunds no provider could make, for an admin to pay back by hand, oldest first."""
        return await refunds.list_queued_refunds(db, principal)

    @post("/refunds/{refund_id:int}/paid", opt={**ADMIN, "refusals": (409,)}, status_code=200)
    async def mark_refund_paid(self, refund_id: FromPath[int], data: JSONBody[RefundPaidForm],
                               db: NamedDependency[asyncpg.Connection],
                               principal: NamedDependency[Principal | None]) -> Refund:
        """An admin sent a queued refund back by hand: recorded with its reference and audited."""
        return await refunds.mark_refund_paid(db, principal, refund_id, data)

    @post("/payouts", opt=ADMIN, status_code=201)
    async def record_payout(self, data: JSONBody[PayoutForm], db: NamedDependency[asyncpg.Connection],
                            principal: NamedDependency[Principal | None]) -> Payout:
        """An admin records money sent to a merchant."""
        return await service.record_payout(db, principal, data)


router = Router(path="/", route_handlers=[PaymentWebhooks, PaymentApi])
