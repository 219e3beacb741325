"""The payments JSON API under /api/v1/payments: webhooks, starting payments, confirmations, refunds, ledger."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.payments import ledger, service
from marketplace.payments import repository as repo
from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.errors import PaymentConflict, PaymentNotFound
from marketplace.payments.events import apply_event
from marketplace.payments.models import (
    BankAccountForm,
    EventOutcome,
    LedgerStatement,
    MerchantBalance,
    PaymentView,
    Payout,
    PayoutForm,
    Refund,
    RefundForm,
    ReviewResolution,
)
from marketplace.payments.provider import BankAccount, NotificationRejected, PaymentMethod, PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings

__all__ = ["payment_api_handlers", "reject_ids_out_of_range", "return_url", "refund_committing_failures"]

WEBHOOK_MAX_BYTES = 256 * 1024
MAX_ID = 2**63 - 1  # PostgreSQL bigint


def _provider(providers: list[PaymentProvider], method: PaymentMethod) -> PaymentProvider:
    found = next((p for p in providers if p.method == method), None)
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


def reject_ids_out_of_range(request: Request[Any, Any, Any]) -> None:
    """Ids in the path beyond PostgreSQL's bigint cannot exist: 404 before any query (a before_request hook)."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise PaymentNotFound("Not found.", code="not_found")


def return_url(request: Request[Any, Any, Any], settings: Settings, locale: str, path: str) -> str:
    """An absolute URL of this app's page `path` (the app may be mounted under a path prefix)."""
    prefix = runtime_of(request.app.state).path_prefix
    return f"{settings.base_url.rstrip('/')}{prefix}/{locale}{path}"


async def refund_committing_failures(pool: asyncpg.Pool, providers: list[PaymentProvider],
                                     principal: Principal | None, order_id: int,
                                     payment_settings: PaymentSettings, *, amount: int | None,
                                     reason: str) -> Refund:
    """`service.refund_order` in its own transaction, which is committed when the provider refused the
    refund: the failed attempt stays recorded (the next try gets a new idempotency key); then the error."""
    failure: service.RefundFailed | None = None
    async with pool.acquire() as conn, conn.transaction():
        try:
            return await service.refund_order(conn, providers, principal, order_id, payment_settings,
                                              amount=amount, reason=reason)
        except service.RefundFailed as error:
            failure = error
    raise failure


def payment_api_handlers(app_guards: Any) -> list[Any]:
    """The JSON API controllers, with the app's guards."""

    class PaymentWebhooks(Controller):
        """Public payment endpoints: the offered methods, and notifications from Stripe and the bank,
        authenticated by signature (no session, no CSRF)."""

        path = "/payments"
        dependencies = payment_dependencies()
        before_request = reject_ids_out_of_range
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

    class PaymentApi(Controller):
        """Paying checkouts and managing payments, for buyers, merchants and admins."""

        path = "/payments"
        dependencies = payment_dependencies()
        guards = [app_guards.authenticated]
        before_request = reject_ids_out_of_range
        tags = ["payments"]

        @post("/checkouts/{checkout_id:int}/start", status_code=200)
        async def start(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                        db: NamedDependency[asyncpg.Connection],
                        principal: NamedDependency[Principal | None], locale: NamedDependency[str],
                        settings: NamedDependency[Settings], payment_settings: NamedDependency[PaymentSettings],
                        payment_providers: NamedDependency[list[PaymentProvider]]) -> list[PaymentView]:
            """Start paying one's checkout: a Stripe redirect_url, a VietQR payload, or cash on delivery."""
            await _own_checkout(db, principal, checkout_id)
            back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
            payments = await service.start_checkout_payments(db, payment_providers, payment_settings, checkout_id,
                                                             locale=locale, return_url=back, cancel_url=back)
            return [await service.payment_view(db, p) for p in payments]

        @get("/checkouts/{checkout_id:int}")
        async def checkout_payments(self, checkout_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                    principal: NamedDependency[Principal | None]) -> list[PaymentView]:
            """Every payment attempt of one's checkout."""
            await _own_checkout(db, principal, checkout_id)
            return [await service.payment_view(db, p) for p in await repo.list_payments_for_checkout(db, checkout_id)]

        @get("/{payment_id:int}")
        async def get_payment(self, payment_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                              principal: NamedDependency[Principal | None]) -> PaymentView:
            """One payment, for its buyer, its merchants or an admin."""
            return await service.payment_view(db, await service.get_payment_for(db, principal, payment_id))

        @post("/{payment_id:int}/confirm", status_code=200)
        async def confirm(self, payment_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                          principal: NamedDependency[Principal | None],
                          payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
            """The receiving merchant or an admin confirms a bank transfer arrived in full."""
            payment = await service.confirm_transfer(db, principal, payment_id, payment_settings)
            return await service.payment_view(db, payment)

        @post("/{payment_id:int}/review", status_code=200)
        async def review(self, payment_id: FromPath[int], data: JSONBody[ReviewResolution],
                         db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                         payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
            """Decide on a flagged payment: accept what arrived, or record it returned."""
            payment = await service.resolve_review(db, principal, payment_id, accept=data.accept,
                                                   payment_settings=payment_settings, note=data.note)
            return await service.payment_view(db, payment)

        @get("/orders/{order_id:int}")
        async def order_payments(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                 principal: NamedDependency[Principal | None]) -> list[PaymentView]:
            """How an order was (or is being) paid."""
            payments = await service.payments_for_order(db, order_id)
            visible = [await service.get_payment_for(db, principal, p.id) for p in payments]
            return [await service.payment_view(db, p) for p in visible]

        @post("/orders/{order_id:int}/cash-collected", status_code=200)
        async def cash_collected(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                 principal: NamedDependency[Principal | None],
                                 payment_settings: NamedDependency[PaymentSettings]) -> PaymentView:
            """The merchant records the cash collected on delivery."""
            payment = await service.collect_cash(db, principal, order_id, payment_settings)
            return await service.payment_view(db, payment)

        @post("/orders/{order_id:int}/refunds", status_code=201)
        async def refund(self, order_id: FromPath[int], data: JSONBody[RefundForm],
                         pool: NamedDependency[asyncpg.Pool], principal: NamedDependency[Principal | None],
                         payment_settings: NamedDependency[PaymentSettings],
                         payment_providers: NamedDependency[list[PaymentProvider]]) -> Refund:
            """Refund all (no amount) or part of a paid order through the provider that took the money."""
            return await refund_committing_failures(pool, payment_providers, principal, order_id,
                                                    payment_settings, amount=data.amount, reason=data.reason)

        @get("/review", guards=[app_guards.admin])
        async def review_queue(self, db: NamedDependency[asyncpg.Connection]) -> list[PaymentView]:
            """Payments waiting for a person's decision (wrong amounts, money for cancelled orders)."""
            return [await service.payment_view(db, p) for p in await repo.list_payments_in_review(db)]

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
            return _csv_response(ledger.statement_csv(lines), merchant_id)

        @get("/balances", guards=[app_guards.admin])
        async def balances(self, db: NamedDependency[asyncpg.Connection]) -> list[MerchantBalance]:
            """Every merchant's balance, largest owed first."""
            return await repo.list_merchant_balances(db)

        @post("/refunds/{refund_id:int}/approve-fee", guards=[app_guards.admin], status_code=200)
        async def approve_fee_return(self, refund_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                                     principal: NamedDependency[Principal | None],
                                     payment_settings: NamedDependency[PaymentSettings]) -> Refund:
            """An admin accepts a merchant's manual refund: the platform fee on it is given back."""
            return await service.approve_fee_return(db, principal, refund_id, payment_settings)

        @post("/payouts", guards=[app_guards.admin], status_code=201)
        async def record_payout(self, data: JSONBody[PayoutForm], db: NamedDependency[asyncpg.Connection],
                                principal: NamedDependency[Principal | None]) -> Payout:
            """An admin records money sent to a merchant."""
            return await ledger.record_payout(db, merchant_id=data.merchant_id, amount=data.amount,
                                              method=data.method, external_reference=data.external_reference,
                                              note=data.note, created_by=principal.user_id if principal else None)

    return [PaymentWebhooks, PaymentApi]


def _csv_response(text: str, merchant_id: int) -> Response[str]:
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="statement-merchant-{merchant_id}.csv"'})


async def _own_checkout(db: asyncpg.Connection, principal: Principal | None, checkout_id: int) -> None:
    checkout = await repo.get_checkout_contact(db, checkout_id)
    if checkout is None or principal is None or (
            checkout["buyer_user_id"] != principal.user_id and not principal.has_role("admin")):
        raise PaymentNotFound("No such checkout.", code="checkout_not_found")
