"""Payment pages under /{locale}/payments: paying a checkout, an order's payment, statements, payouts.

Every form goes through `submit_form`: a refused action (or a mistyped field) shows the page the form is on
again, with the reason and the error's status; a page the visitor may not see is a 404 as before.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from markupsafe import Markup

from i18n.forms import FormInvalid, decode_form, error_lines
from marketplace.payments import ledger, overview, refunds, service
from marketplace.payments.models import (
    BankAccountForm,
    ButtonForm,
    OrderChoice,
    PaymentNoteForm,
    PayoutForm,
    RefundForm,
    RefundPaidForm,
    ReviewDecisionForm,
)
from marketplace.payments.providers.protocol import BankAccount, PaymentProvider
from marketplace.payments.providers.vietqr import BANK_NAMES, qr_svg
from marketplace.payments.settings import PaymentSettings
from marketplace.payments.web import PaymentsController, return_url, statement_csv_response
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.errors import AppError
from marketplace.platform.middleware import content_security_policy
from marketplace.platform.principal import Principal
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, FormAgain, see_other, submit_form

__all__ = ["router", "CheckoutPaymentPages", "OrderPaymentPages", "LedgerPages"]

MAX_FORM_BYTES = 16 * 1024
# Who may open the admin pages (the controller's `signed_in` stays in force beside it).
ADMIN = {"roles": ("admin",)}

Errors = Sequence[tuple[str, str]]


def _hosted_checkout_csp(settings: Settings, payment_settings: PaymentSettings) -> dict[str, str]:
    """The app's CSP, letting the pay form also redirect to STRIPE_API_BASE's hosted page when one is set.

    The platform policy allows forms to reach Stripe's own checkout; a stand-in or proxy configured with
    STRIPE_API_BASE serves the hosted page from its own origin, which form-action must name too.
    """
    if not payment_settings.stripe_api_base:
        return {}
    parts = urlsplit(payment_settings.stripe_api_base)
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = content_security_policy(settings.frame_ancestors).replace(
        "form-action 'self'", f"form-action 'self' {origin}")
    return {"content-security-policy": policy}


async def _order_page(db: asyncpg.Connection, principal: Principal | None, page: PageRenderer, order_id: int,
                      errors: Errors = (), status: int = 200) -> Response[Any]:
    """An order's payments, with the messages of a refused form; 404 for whoever may not see it."""
    summary = await overview.order_payments(db, principal, order_id)
    return page.render("payments/order.html", {**msgspec.structs.asdict(summary), "bank_names": BANK_NAMES,
                                               "errors": list(errors)}, status_code=status)


def _order_again(db: asyncpg.Connection, principal: Principal | None, page: PageRenderer,
                 order_id: int) -> FormAgain:
    """Show the order's payment page again after a refused form about the order."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        return await _order_page(db, principal, page, order_id, errors, status)

    return again


def _payment_again(db: asyncpg.Connection, principal: Principal | None, page: PageRenderer,
                   payment_id: int) -> FormAgain:
    """Show the payment page of the order the form came from again after a refused form about a payment."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        try:
            wanted = decode_form(values, OrderChoice).order_id
        except FormInvalid:
            wanted = None
        order_id = await overview.order_of_payment(db, payment_id, wanted)
        return await _order_page(db, principal, page, order_id, errors, status)

    return again


async def _admin_page(db: asyncpg.Connection, page: PageRenderer, errors: Errors = (),
                      status: int = 200) -> Response[Any]:
    watched = await overview.payments_overview(db)
    return page.render("payments/admin.html", {**msgspec.structs.asdict(watched), "errors": list(errors)},
                       status_code=status)


def _admin_again(db: asyncpg.Connection, page: PageRenderer) -> FormAgain:
    """Show the admin page again after a refused payout or fee approval."""
    async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
        return await _admin_page(db, page, errors, status)

    return again


class CheckoutPaymentPages(PaymentsController):
    """The buyer pays a checkout: Stripe's hosted page, a VietQR code, or cash on delivery."""

    path = "/payments/checkouts"
    opt = {"signed_in": True}

    @get("/{checkout_id:int}", name="payments.checkout")
    async def show(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                   db: NamedDependency[asyncpg.Connection],
                   principal: NamedDependency[Principal | None], page: NamedDependency[PageRenderer],
                   locale: NamedDependency[str], settings: NamedDependency[Settings],
                   payment_settings: NamedDependency[PaymentSettings],
                   payment_providers: NamedDependency[list[PaymentProvider]]) -> Response:
        """How to pay this checkout now; bank transfer details appear at once (no provider call)."""
        checkout = await service.get_checkout_for(db, principal, checkout_id)
        back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
        shown = await overview.open_checkout_payments(db, payment_providers, payment_settings, checkout,
                                                     locale=locale, return_url=back)
        qr_codes = {p.id: Markup(qr_svg(p.qr_payload)) for p in shown.payments if p.qr_payload}
        return page.render("payments/checkout.html", {
            **msgspec.structs.asdict(shown), "qr_codes": qr_codes, "bank_names": BANK_NAMES},
            headers=_hosted_checkout_csp(settings, payment_settings))

    @post("/{checkout_id:int}/pay", name="payments.checkout.pay", request_max_body_size=MAX_FORM_BYTES)
    async def pay(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                  db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                  page: NamedDependency[PageRenderer], locale: NamedDependency[str],
                  settings: NamedDependency[Settings], payment_settings: NamedDependency[PaymentSettings],
                  payment_providers: NamedDependency[list[PaymentProvider]]) -> Redirect:
        """Start (or resume) the card payment and go to Stripe's hosted page."""
        await service.get_checkout_for(db, principal, checkout_id)
        back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
        payments = await service.start_checkout_payments(db, payment_providers, payment_settings, checkout_id,
                                                         locale=locale, return_url=back, cancel_url=back)
        target = next((p.redirect_url for p in payments if p.status == "pending" and p.redirect_url), None)
        if target is None:
            return see_other(page, f"/payments/checkouts/{checkout_id}")
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)


class OrderPaymentPages(PaymentsController):
    """An order's payment for its buyer, merchant or an admin; merchants and admins act on it here."""

    opt = {"signed_in": True}

    @get("/orders/{order_id:int}", name="payments.order")
    async def order(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                    principal: NamedDependency[Principal | None],
                    page: NamedDependency[PageRenderer]) -> Response:
        """Payments, refunds and the actions the visitor may take."""
        return await _order_page(db, principal, page, order_id)

    @post("/{payment_id:int}/confirm", request_max_body_size=MAX_FORM_BYTES)
    async def confirm(self, request: Request[Any, Any, Any], payment_id: FromPath[int],
                      db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                      page: NamedDependency[PageRenderer],
                      payment_settings: NamedDependency[PaymentSettings]) -> Response:
        """Confirm a bank transfer arrived."""
        async def save(data: PaymentNoteForm) -> str:
            await service.confirm_transfer(db, principal, payment_id, payment_settings, note=data.note)
            return f"/payments/orders/{await overview.order_of_payment(db, payment_id, data.order_id)}"

        return await submit_form(db, page, await request.form(), PaymentNoteForm, save,
                                 _payment_again(db, principal, page, payment_id))

    @post("/{payment_id:int}/review", request_max_body_size=MAX_FORM_BYTES)
    async def review(self, request: Request[Any, Any, Any], payment_id: FromPath[int],
                     db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                     page: NamedDependency[PageRenderer],
                     payment_settings: NamedDependency[PaymentSettings]) -> Response:
        """Accept a flagged payment, or record the money returned."""
        async def save(data: ReviewDecisionForm) -> str:
            await service.resolve_review(db, principal, payment_id, accept=data.decision == "accept",
                                         payment_settings=payment_settings, note=data.note)
            return f"/payments/orders/{await overview.order_of_payment(db, payment_id, data.order_id)}"

        return await submit_form(db, page, await request.form(), ReviewDecisionForm, save,
                                 _payment_again(db, principal, page, payment_id))

    @post("/orders/{order_id:int}/cash-collected", request_max_body_size=MAX_FORM_BYTES)
    async def cash_collected(self, request: Request[Any, Any, Any], order_id: FromPath[int],
                             db: NamedDependency[asyncpg.Connection],
                             principal: NamedDependency[Principal | None], page: NamedDependency[PageRenderer],
                             payment_settings: NamedDependency[PaymentSettings]) -> Response:
        """Record the cash collected on delivery."""
        async def save(_: ButtonForm) -> str:
            await service.collect_cash(db, principal, order_id, payment_settings)
            return f"/payments/orders/{order_id}"

        return await submit_form(db, page, await request.form(), ButtonForm, save,
                                 _order_again(db, principal, page, order_id))

    @post("/orders/{order_id:int}/refund", request_max_body_size=MAX_FORM_BYTES)
    async def refund(self, request: Request[Any, Any, Any], order_id: FromPath[int],
                     pool: NamedDependency[asyncpg.Pool], principal: NamedDependency[Principal | None],
                     page: NamedDependency[PageRenderer], payment_settings: NamedDependency[PaymentSettings],
                     payment_providers: NamedDependency[list[PaymentProvider]]) -> Response:
        """Refund all or part of the order.

        The refund runs in a transaction of its own (a refund the provider refused must stay recorded), so
        this route holds no request connection meanwhile: holding one while waiting for a second could
        starve the pool. A refused refund shows the order again on a connection taken afterwards.
        """
        try:
            data = decode_form(await request.form(), RefundForm)
            await refunds.refund_committing_failures(pool, payment_providers, principal, order_id,
                                                     payment_settings, amount=data.amount, reason=data.reason)
        except (AppError, FormInvalid) as error:
            async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                return await _order_page(conn, principal, page, order_id, error_lines(error), error.status_code)
        return see_other(page, f"/payments/orders/{order_id}")


class LedgerPages(PaymentsController):
    """Merchants' statements and bank accounts; the admin's balances, payouts and review queue."""

    opt = {"signed_in": True}

    @get("/merchants/{merchant_id:int}/statement", name="payments.statement")
    async def statement(self, merchant_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                        principal: NamedDependency[Principal | None],
                        page: NamedDependency[PageRenderer]) -> Response:
        """What the platform owes the merchant, entry by entry."""
        await service.require_merchant(db, principal, merchant_id)
        balance, lines = await ledger.statement(db, merchant_id)
        return page.render("payments/statement.html", {"balance": balance, "lines": lines,
                                                       "merchant_id": merchant_id})

    @get("/merchants/{merchant_id:int}/statement.csv", name="payments.statement.csv")
    async def statement_csv(self, merchant_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                            principal: NamedDependency[Principal | None]) -> Response[str]:
        """The statement as CSV."""
        await service.require_merchant(db, principal, merchant_id)
        _, lines = await ledger.statement(db, merchant_id)
        return statement_csv_response(lines, merchant_id, NO_STORE)

    @get("/merchants/{merchant_id:int}/bank-account", name="payments.bank_account")
    async def bank_account(self, request: Request[Any, Any, Any], merchant_id: FromPath[int],
                           db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                           page: NamedDependency[PageRenderer]) -> Response:
        """The merchant's VietQR account form."""
        account = await service.get_bank_account_for(db, principal, merchant_id)
        return page.render("payments/bank_account.html", {
            "account": account, "bank_names": BANK_NAMES, "saved": "saved" in request.query_params})

    @post("/merchants/{merchant_id:int}/bank-account", request_max_body_size=MAX_FORM_BYTES)
    async def save_bank_account(self, request: Request[Any, Any, Any], merchant_id: FromPath[int],
                                db: NamedDependency[asyncpg.Connection],
                                principal: NamedDependency[Principal | None],
                                page: NamedDependency[PageRenderer]) -> Response:
        """Save the merchant's VietQR account."""
        async def save(data: BankAccountForm) -> str:
            await service.set_bank_account(db, principal, merchant_id, BankAccount(
                bank_bin=data.bank_bin, account_number=data.account_number, account_name=data.account_name))
            return f"/payments/merchants/{merchant_id}/bank-account?saved=1"

        async def again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[Any]:
            await service.require_merchant(db, principal, merchant_id)
            return page.render("payments/bank_account.html", {
                "account": values, "bank_names": BANK_NAMES, "saved": False, "errors": errors},
                status_code=status)

        return await submit_form(db, page, await request.form(), BankAccountForm, save, again)

    @get("/admin", name="payments.admin", opt=ADMIN)
    async def admin(self, db: NamedDependency[asyncpg.Connection], page: NamedDependency[PageRenderer]) -> Response:
        """Balances of every merchant, the payout form, flagged payments and unmatched transfers."""
        return await _admin_page(db, page)

    @post("/admin/refunds/{refund_id:int}/approve-fee", opt=ADMIN, request_max_body_size=MAX_FORM_BYTES)
    async def approve_fee_return(self, request: Request[Any, Any, Any], refund_id: FromPath[int],
                                 db: NamedDependency[asyncpg.Connection],
                                 principal: NamedDependency[Principal | None], page: NamedDependency[PageRenderer],
                                 payment_settings: NamedDependency[PaymentSettings]) -> Response:
        """Approve returning the platform fee on a merchant's manual refund."""
        async def save(_: ButtonForm) -> str:
            await refunds.approve_fee_return(db, principal, refund_id, payment_settings)
            return "/payments/admin"

        return await submit_form(db, page, await request.form(), ButtonForm, save, _admin_again(db, page))

    @post("/admin/refunds/{refund_id:int}/paid", opt=ADMIN, request_max_body_size=MAX_FORM_BYTES)
    async def mark_refund_paid(self, request: Request[Any, Any, Any], refund_id: FromPath[int],
                               db: NamedDependency[asyncpg.Connection],
                               principal: NamedDependency[Principal | None],
                               page: NamedDependency[PageRenderer]) -> Response:
        """An admin sent a queued refund back by hand (with the bank reference)."""
        async def save(form: RefundPaidForm) -> str:
            await refunds.mark_refund_paid(db, principal, refund_id, form)
            return "/payments/admin"

        return await submit_form(db, page, await request.form(), RefundPaidForm, save, _admin_again(db, page))

    @post("/admin/payouts", opt=ADMIN, request_max_body_size=MAX_FORM_BYTES)
    async def payout(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                     principal: NamedDependency[Principal | None], page: NamedDependency[PageRenderer]) -> Response:
        """Record a payout to a merchant."""
        async def save(data: PayoutForm) -> str:
            await service.record_payout(db, principal, data)
            return "/payments/admin"

        return await submit_form(db, page, await request.form(), PayoutForm, save, _admin_again(db, page))


router = Router(path="/", route_handlers=[CheckoutPaymentPages, OrderPaymentPages, LedgerPages])
