"""Account-life pages: confirm an e-mail, forgot / reset password, sign in with a phone code, verify a phone."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

import i18n
from marketplace.accounts.life import service
from marketplace.accounts.sessions import session_cookie, start_signed_in_session
from marketplace.platform.access import require_user
from marketplace.platform.errors import AppError
from marketplace.platform.middleware import client_ip
from marketplace.platform.principal import Principal
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other

__all__ = ["LinkPages", "PhoneSignInPages", "PhoneVerificationPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Pool = NamedDependency[asyncpg.Pool]
Page = NamedDependency[PageRenderer]
AnyRequest = Request[Any, Any, Any]


def _error(page: PageRenderer, template: str, error: AppError, context: dict[str, Any]) -> Response:
    return page.render(template, {**context, "error": i18n.gettext(error.message, page.locale)},
                       status_code=error.status_code, headers={**NO_STORE, **(error.headers or {})})


class LinkPages(Controller):
    """The pages the links in account mail open."""

    path = "/account"

    @get("/verify-email", name="accounts.verify_email")
    async def verify_email(self, request: AnyRequest, page: Page, db: Db) -> Response:
        """Confirm the address the link was sent to."""
        try:
            await service.verify_email(db, request.query_params.get("token", ""))
        except AppError as error:
            return _error(page, "accounts/message.html", error, {})
        return page.render("accounts/message.html", {"message": i18n.gettext("Your e-mail address is confirmed.",
                                                                             page.locale)}, headers=NO_STORE)

    @get("/forgot-password", name="accounts.forgot_password")
    async def forgot_form(self, page: Page) -> Response:
        """Ask for a reset link."""
        return page.render("accounts/forgot_password.html")

    @post("/forgot-password", name="accounts.forgot_password_post")
    async def forgot(self, request: AnyRequest, page: Page, db: Db) -> Response:
        """Send a reset link if the address has an account (the answer does not say)."""
        form = await request.form()
        email = str(form.get("email", "")).strip()[:254]
        try:
            await service.request_password_reset(db, email, client_ip(request.scope))
        except AppError as error:
            return _error(page, "accounts/forgot_password.html", error, {"email": email})
        return page.render("accounts/forgot_password.html", {"sent": True}, headers=NO_STORE)

    @get("/reset-password", name="accounts.reset_password")
    async def reset_form(self, request: AnyRequest, page: Page) -> Response:
        """Choose a new password."""
        return page.render("accounts/reset_password.html", {"token": request.query_params.get("token", "")},
                           headers={**NO_STORE, "referrer-policy": "no-referrer"})

    @post("/reset-password", name="accounts.reset_password_post")
    async def reset(self, request: AnyRequest, page: Page, db: Db) -> Response:
        """Set the new password, end every session, and go to the sign-in page."""
        form = await request.form()
        token = str(form.get("token", ""))
        try:
            async with db.transaction():
                await service.reset_password(db, token, str(form.get("password", "")))
        except AppError as error:
            return _error(page, "accounts/reset_password.html", error, {"token": token})
        return see_other(page, "/account/sign-in?reset=1")


class PhoneSignInPages(Controller):
    """Sign in with a phone number and a one-time code (no password needed)."""

    path = "/account/sign-in/phone"

    @get("/", name="accounts.phone_sign_in")
    async def phone_form(self, page: Page) -> Response:
        """Ask for the number."""
        return page.render("accounts/phone_sign_in.html")

    @post("/", name="accounts.phone_sign_in_post")
    async def send(self, request: AnyRequest, page: Page, db: Db) -> Response:
        """Text a code to the number (if it has an account: the page does not say) and ask for it."""
        form = await request.form()
        try:
            phone = service.normalise_phone(str(form.get("phone", "")))
            # No savepoint: a refused request still counts against the rate limits.
            await service.send_code(db, phone, "sign_in", client_ip(request.scope))
        except AppError as error:
            return _error(page, "accounts/phone_sign_in.html", error, {"phone": form.get("phone", "")})
        return page.render("accounts/phone_sign_in.html", {"phone": phone, "code_sent": True}, headers=NO_STORE)

    @post("/code", name="accounts.phone_sign_in_code")
    async def check(self, request: AnyRequest, page: Page, pool: Pool, settings: NamedDependency[Settings]) -> Response:
        """Check the code and start a session."""
        form = await request.form()
        phone = str(form.get("phone", ""))
        try:
            user_id = await service.check_code(pool, service.normalise_phone(phone), "sign_in",
                                               str(form.get("code", "")))
        except AppError as error:
            return _error(page, "accounts/phone_sign_in.html", error, {"phone": phone, "code_sent": True})
        token = await start_signed_in_session(request, pool, user_id)
        return Redirect(f"{page.path_prefix}/{page.locale}/account", status_code=HTTP_303_SEE_OTHER,
                        cookies=[session_cookie(request, settings, token)])


class PhoneVerificationPages(Controller):
    """A signed-in person adds (or changes) the phone number messages and sign-in codes go to."""

    path = "/account/phone"
    opt = {"signed_in": True}

    @get("/", name="accounts.phone")
    async def phone_form(self, page: Page) -> Response:
        """Ask for the number."""
        return page.render("accounts/phone.html", headers=NO_STORE)

    @post("/", name="accounts.phone_post")
    async def send(self, request: AnyRequest, page: Page, db: Db,
                   principal: NamedDependency[Principal | None]) -> Response:
        """Text a code to the number."""
        form = await request.form()
        try:
            phone = service.normalise_phone(str(form.get("phone", "")))
            await service.send_code(db, phone, "verify_phone", client_ip(request.scope),
                                    user_id=require_user(principal))
        except AppError as error:
            return _error(page, "accounts/phone.html", error, {"phone": form.get("phone", "")})
        return page.render("accounts/phone.html", {"phone": phone, "code_sent": True}, headers=NO_STORE)

    @post("/code", name="accounts.phone_code")
    async def check(self, request: AnyRequest, page: Page, pool: Pool,
                    principal: NamedDependency[Principal | None]) -> Response:
        """Check the code: the number is verified."""
        form = await request.form()
        phone = str(form.get("phone", ""))
        try:
            await service.check_code(pool, service.normalise_phone(phone), "verify_phone", str(form.get("code", "")),
                                     user_id=require_user(principal))
        except AppError as error:
            return _error(page, "accounts/phone.html", error, {"phone": phone, "code_sent": True})
        return see_other(page, "/account")


router = Router(path="/", route_handlers=[LinkPages, PhoneSignInPages, PhoneVerificationPages])
