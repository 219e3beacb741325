"""Payment pages under /{locale}/payments: paying a checkout, an order's payment, statements, payouts."""

from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from markupsafe import Markup

from marketplace.payments import ledger, service
from marketplace.payments import repository as repo
from marketplace.payments.api import refund_committing_failures, reject_ids_out_of_range, return_url
from marketplace.payments.dependencies import payment_dependencies
from marketplace.payments.errors import PaymentNotFound, RefundInvalid
from marketplace.payments.models import PaymentView
from marketplace.payments.provider import BankAccount, PaymentMethod, PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.payments.vietqr import BANK_NAMES, qr_svg
from marketplace.platform.errors import AppError, BadRequest
from marketplace.platform.middleware import content_security_policy
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer

__all__ = ["payment_page_handlers"]

MAX_FORM_BYTES = 16 * 1024


def _back(request: Request[Any, Any, Any], locale: str, path: str) -> Redirect:
    prefix = runtime_of(request.app.state).path_prefix
    return Redirect(f"{prefix}/{locale}{path}", status_code=HTTP_303_SEE_OTHER)


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: str(value)[:500] for key, value in form.items() if isinstance(value, str)}


def _whole_number(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    # isdigit() alone takes "²" and other digits int() refuses: ASCII digits only.
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise BadRequest(f"{field} must be a whole number.", code="invalid_number")
    return int(value)


async def _checkout_for(db: asyncpg.Connection, principal: Principal | None, checkout_id: int) -> asyncpg.Record:
    checkout = await repo.get_checkout_contact(db, checkout_id)
    if checkout is None or principal is None or (
            checkout["buyer_user_id"] != principal.user_id and not principal.has_role("admin")):
        raise PaymentNotFound("No such checkout.", code="checkout_not_found")
    return checkout


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


def payment_page_handlers(app_guards: Any) -> list[Any]:
    """The HTML page controllers, with the app's guards."""

    class CheckoutPaymentPages(Controller):
        """The buyer pays a checkout: Stripe's hosted page, a VietQR code, or cash on delivery."""

        path = "/payments/checkouts"
        dependencies = payment_dependencies()
        guards = [app_guards.authenticated]
        before_request = reject_ids_out_of_range

        @get("/{checkout_id:int}", name="payments.checkout")
        async def show(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                       db: NamedDependency[asyncpg.Connection],
                       principal: NamedDependency[Principal | None], page: NamedDependency[PageRenderer],
                       locale: NamedDependency[str], settings: NamedDependency[Settings],
                       payment_settings: NamedDependency[PaymentSettings],
                       payment_providers: NamedDependency[list[PaymentProvider]]) -> Response:
            """How to pay this checkout now; bank transfer details appear at once (no provider call)."""
            checkout = await _checkout_for(db, principal, checkout_id)
            if checkout["payment_method"] in (PaymentMethod.VIETQR, PaymentMethod.COD):
                local = [p for p in payment_providers if p.method != PaymentMethod.STRIPE]
                back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
                await service.start_checkout_payments(db, local, payment_settings, checkout_id, locale=locale,
                                                      return_url=back, cancel_url=back)
            payments = [await service.payment_view(db, p)
                        for p in await repo.list_payments_for_checkout(db, checkout_id)]
            orders = await repo.list_checkout_orders(db, checkout_id)
            qr_codes = {p.id: Markup(qr_svg(p.qr_payload)) for p in payments if p.qr_payload}
            return page.render("payments/checkout.html", {
                "checkout": checkout, "payments": payments, "qr_codes": qr_codes, "bank_names": BANK_NAMES,
                "can_retry": any(o.status == "pending_payment" for o in orders)},
                headers=_hosted_checkout_csp(settings, payment_settings))

        @post("/{checkout_id:int}/pay", name="payments.checkout.pay", request_max_body_size=MAX_FORM_BYTES)
        async def pay(self, request: Request[Any, Any, Any], checkout_id: FromPath[int],
                      db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                      locale: NamedDependency[str], settings: NamedDependency[Settings],
                      payment_settings: NamedDependency[PaymentSettings],
                      payment_providers: NamedDependency[list[PaymentProvider]]) -> Redirect:
            """Start (or resume) the card payment and go to Stripe's hosted page."""
            await _checkout_for(db, principal, checkout_id)
            back = return_url(request, settings, locale, f"/payments/checkouts/{checkout_id}")
            payments = await service.start_checkout_payments(db, payment_providers, payment_settings, checkout_id,
                                                             locale=locale, return_url=back, cancel_url=back)
            target = next((p.redirect_url for p in payments if p.status == "pending" and p.redirect_url), None)
            if target is None:
                return _back(request, locale, f"/payments/checkouts/{checkout_id}")
            return Redirect(target, status_code=HTTP_303_SEE_OTHER)

    class OrderPaymentPages(Controller):
        """An order's payment for its buyer, merchant or an admin; merchants and admins act on it here."""

        path = "/payments"
        dependencies = payment_dependencies()
        guards = [app_guards.authenticated]
        before_request = reject_ids_out_of_range

        @get("/orders/{order_id:int}", name="payments.order")
        async def order(self, order_id: FromPath[int], db: NamedDependency[asyncpg.Connection],
                        principal: NamedDependency[Principal | None],
                        page: NamedDependency[PageRenderer]) -> Response:
            """Payments, refunds and the actions the visitor may take."""
            order = await repo.get_order(db, order_id)
            if order is None:
                raise PaymentNotFound("No such order.", code="order_not_found")
            manage = await _may_manage(db, principal, order.merchant_id)
            if not manage and (principal is None or principal.user_id != order.buyer_user_id):
                raise PaymentNotFound("No such order.", code="order_not_found")
            payments = [await service.payment_view(db, p) for p in await service.payments_for_order(db, order_id)]
            paid = [p for p in payments if p.status in service.PAID_STATUSES]
            share = order.total if paid else 0
            refundable = max(0, share - await repo.sum_refunds_for_order(db, order_id))
            return page.render("payments/order.html", {
                "order": order, "payments": payments, "manage": manage, "refundable": refundable,
                "bank_names": BANK_NAMES,
                "cash_recorded": any(p.method == "cod" and p.status != "pending" for p in payments)})

        @post("/{payment_id:int}/confirm", request_max_body_size=MAX_FORM_BYTES)
        async def confirm(self, request: Request[Any, Any, Any], payment_id: FromPath[int],
                          db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                          locale: NamedDependency[str],
                          payment_settings: NamedDependency[PaymentSettings]) -> Redirect:
            """Confirm a bank transfer arrived."""
            form = await _form(request)
            payment = await service.confirm_transfer(db, principal, payment_id, payment_settings,
                                                     note=form.get("note", ""))
            return _back(request, locale, await _order_path(db, payment.id, form))

        @post("/{payment_id:int}/review", request_max_body_size=MAX_FORM_BYTES)
        async def review(self, request: Request[Any, Any, Any], payment_id: FromPath[int],
                         db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                         locale: NamedDependency[str],
                         payment_settings: NamedDependency[PaymentSettings]) -> Redirect:
            """Accept a flagged payment, or record the money returned."""
            form = await _form(request)
            if form.get("decision") not in ("accept", "return"):
                raise BadRequest("Choose accept or return.", code="invalid_decision")
            await service.resolve_review(db, principal, payment_id, accept=form["decision"] == "accept",
                                         payment_settings=payment_settings, note=form.get("note", ""))
            return _back(request, locale, await _order_path(db, payment_id, form))

        @post("/orders/{order_id:int}/cash-collected", request_max_body_size=MAX_FORM_BYTES)
        async def cash_collected(self, request: Request[Any, Any, Any], order_id: FromPath[int],
                                 db: NamedDependency[asyncpg.Connection],
                                 principal: NamedDependency[Principal | None], locale: NamedDependency[str],
                                 payment_settings: NamedDependency[PaymentSettings]) -> Redirect:
            """Record the cash collected on delivery."""
            await service.collect_cash(db, principal, order_id, payment_settings)
            return _back(request, locale, f"/payments/orders/{order_id}")

        @post("/orders/{order_id:int}/refund", request_max_body_size=MAX_FORM_BYTES)
        async def refund(self, request: Request[Any, Any, Any], order_id: FromPath[int],
                         pool: NamedDependency[asyncpg.Pool], principal: NamedDependency[Principal | None],
                         locale: NamedDependency[str], payment_settings: NamedDependency[PaymentSettings],
                         payment_providers: NamedDependency[list[PaymentProvider]]) -> Redirect:
            """Refund all or part of the order."""
            form = await _form(request)
            amount = _whole_number(form.get("amount", ""), "The amount")
            if amount == 0:
                raise RefundInvalid("A refund must be more than zero.")
            await refund_committing_failures(pool, payment_providers, principal, order_id, payment_settings,
                                             amount=amount, reason=form.get("reason", ""))
            return _back(request, locale, f"/payments/orders/{order_id}")

    class LedgerPages(Controller):
        """Merchants' statements and bank accounts; the admin's balances, payouts and review queue."""

        path = "/payments"
        dependencies = payment_dependencies()
        guards = [app_guards.authenticated]
        before_request = reject_ids_out_of_range

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
            return Response(ledger.statement_csv(lines), media_type="text/csv; charset=utf-8", headers={
                "content-disposition": f'attachment; filename="statement-merchant-{merchant_id}.csv"',
                "cache-control": "private, no-store"})

        @get("/merchants/{merchant_id:int}/bank-account", name="payments.bank_account")
        async def bank_account(self, request: Request[Any, Any, Any], merchant_id: FromPath[int],
                               db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None],
                               page: NamedDependency[PageRenderer]) -> Response:
            """The merchant's VietQR account form."""
            await service.require_merchant(db, principal, merchant_id)
            account = await repo.get_merchant_bank_account(db, merchant_id)
            return page.render("payments/bank_account.html", {
                "account": account, "bank_names": BANK_NAMES, "saved": "saved" in request.query_params})

        @post("/merchants/{merchant_id:int}/bank-account", request_max_body_size=MAX_FORM_BYTES)
        async def save_bank_account(self, request: Request[Any, Any, Any], merchant_id: FromPath[int],
                                    db: NamedDependency[asyncpg.Connection],
                                    principal: NamedDependency[Principal | None],
                                    locale: NamedDependency[str]) -> Redirect:
            """Save the merchant's VietQR account."""
            form = await _form(request)
            try:
                account = msgspec.convert({"bank_bin": form.get("bank_bin", "").strip(),
                                           "account_number": form.get("account_number", "").strip(),
                                           "account_name": form.get("account_name", "").strip()[:100]},
                                          BankAccount)
            except msgspec.ValidationError as error:
                raise BadRequest("The bank or account number is not valid.", code="invalid_bank_account",
                                 details=str(error)) from None
            await service.set_bank_account(db, principal, merchant_id, account)
            return _back(request, locale, f"/payments/merchants/{merchant_id}/bank-account?saved=1")

        @get("/admin", name="payments.admin", guards=[app_guards.admin])
        async def admin(self, db: NamedDependency[asyncpg.Connection], page: NamedDependency[PageRenderer]) -> Response:
            """Balances of every merchant, the payout form, flagged payments and unmatched transfers."""
            balances = await repo.list_merchant_balances(db)
            names = {row["id"]: row["name"] for row in await db.fetch(
                "SELECT id, name FROM merchants WHERE id = ANY($1::bigint[])", [b.merchant_id for b in balances])}
            review: list[PaymentView] = [await service.payment_view(db, p)
                                         for p in await repo.list_payments_in_review(db)]
            return page.render("payments/admin.html", {
                "balances": balances, "merchant_names": names, "review": review,
                "review_orders": {p.id: p.order_ids[0] if p.order_ids else 0 for p in review},
                "unmatched": await repo.list_unmatched_events(db),
                "flagged_card_events": await repo.list_flagged_card_events(db),
                "fee_approvals": await repo.list_refunds_awaiting_fee_approval(db)})

        @post("/admin/refunds/{refund_id:int}/approve-fee", guards=[app_guards.admin],
              request_max_body_size=MAX_FORM_BYTES)
        async def approve_fee_return(self, request: Request[Any, Any, Any], refund_id: FromPath[int],
                                     db: NamedDependency[asyncpg.Connection],
                                     principal: NamedDependency[Principal | None], locale: NamedDependency[str],
                                     payment_settings: NamedDependency[PaymentSettings]) -> Redirect:
            """Approve returning the platform fee on a merchant's manual refund."""
            await service.approve_fee_return(db, principal, refund_id, payment_settings)
            return _back(request, locale, "/payments/admin")

        @post("/admin/payouts", guards=[app_guards.admin], request_max_body_size=MAX_FORM_BYTES)
        async def payout(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                         principal: NamedDependency[Principal | None], locale: NamedDependency[str]) -> Redirect:
            """Record a payout to a merchant."""
            form = await _form(request)
            merchant_id = _whole_number(form.get("merchant_id", ""), "The merchant")
            amount = _whole_number(form.get("amount", ""), "The amount")
            method = form.get("method", "bank_transfer")
            if merchant_id is None or not amount or method not in ("bank_transfer", "cash", "stripe_connect"):
                raise BadRequest("Choose a merchant, a method and an amount above zero.", code="invalid_payout")
            if not await db.fetchval("SELECT true FROM merchants WHERE id = $1", merchant_id):
                raise PaymentNotFound("No such merchant.", code="merchant_not_found")
            await ledger.record_payout(db, merchant_id=merchant_id, amount=amount, method=method,
                                       external_reference=form.get("external_reference", "")[:200],
                                       note=form.get("note", ""), created_by=principal.user_id if principal else None)
            return _back(request, locale, "/payments/admin")

    return [CheckoutPaymentPages, OrderPaymentPages, LedgerPages]


async def _may_manage(db: asyncpg.Connection, principal: Principal | None, merchant_id: int) -> bool:
    try:
        await service.require_merchant(db, principal, merchant_id)
    except AppError:
        return False
    return True


async def _order_path(db: asyncpg.Connection, payment_id: int, form: dict[str, str]) -> str:
    links = await repo.list_payment_orders(db, payment_id)
    wanted = _whole_number(form.get("order_id", ""), "The order")
    order_id = wanted if wanted in {link.order_id for link in links} else (links[0].order_id if links else 0)
    return f"/payments/orders/{order_id}"
