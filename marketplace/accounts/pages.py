"""Account pages: sign-up, sign-in, sign-out, my account, and the admin's API tokens."""

from typing import Any
from urllib.parse import urlsplit

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_201_CREATED, HTTP_303_SEE_OTHER

import i18n
from i18n.forms import FormInvalid, decode_form, error_lines
from marketplace.accounts import service
from marketplace.accounts.life import service as life
from marketplace.accounts.models import ROLES, SignInForm, SignUp, TokenForm
from marketplace.accounts.sessions import SESSION_COOKIE, session_cookie, signed_in, start_signed_in_session
from marketplace.platform.errors import AppError, Forbidden
from marketplace.platform.middleware import client_ip
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import see_other, submit_form

__all__ = ["AccountPages", "MyAccountPage", "TokenPages", "router", "safe_next"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
AnyRequest = Request[Any, Any, Any]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


# Links on "my account" by role; each package's dashboards live at these paths.
ROLE_LINKS: tuple[tuple[str, str, str], ...] = (
    ("customer", "/orders", N_("My orders")),
    ("customer", "/trip", N_("My trip")),
    ("merchant", "/merchant", N_("Merchant dashboard")),
    ("community_agent", "/agent", N_("Community agent dashboard")),
    ("editor", "/editor/attractions", N_("Edit attractions")),
    ("admin", "/admin/merchants", N_("Merchant approval queue")),
    ("admin", "/admin/tokens", N_("API tokens")),
    ("official", "/province", N_("Province indicators")),
    ("admin", "/admin/officials", N_("Officials")),
    ("admin", "/admin/webhooks", N_("Webhooks")),
)
# What the sign-up page says about a field the form refused (400, as the page always answered).
SIGN_UP_PROBLEMS = {
    "password": N_("The password must be at least 10 characters long."),
    "email": N_("Enter a valid e-mail address."),
}
CHECK_THE_FORM = N_("Check the form.")


def safe_next(value: str | None, request: AnyRequest, locale: str) -> str:
    """A local path to go back to after signing in; anything else goes to the account page."""
    prefix = runtime_of(request.app.state).path_prefix
    fallback = f"{prefix}/{locale}/account"
    if not value:
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return fallback
    return value


def _password(form: Any) -> str:
    # Taken as typed: spaces at either end are part of a password, where other fields are trimmed.
    return str(form.get("password", ""))


def _first_message(error: Any, locale: str) -> str:
    message, _ = error_lines(error)[0]
    return i18n.gettext(message, locale)


class AccountPages(Controller):
    """Sign-up, sign-in and sign-out as pages that work without JavaScript."""

    path = "/account"

    @get("/sign-in")
    async def sign_in_form(self, request: AnyRequest, page: Page) -> Response:
        """The sign-in form."""
        return page.render("accounts/sign_in.html", {"next": request.query_params.get("next", "")})

    @post("/sign-in")
    async def sign_in(self, request: AnyRequest, page: Page, pool: NamedDependency[asyncpg.Pool],
                      settings: NamedDependency[Settings], locale: NamedDependency[str]) -> Response:
        """Check the credentials and start a session."""
        form = await request.form()
        try:
            # No request connection here: the rate limit commits its own transaction on the pool.
            data = decode_form(form, SignInForm, password=_password(form))
            user = await service.authenticate(pool, data.email, data.password, client_ip(request.scope))
        except (AppError, FormInvalid) as error:
            return page.render("accounts/sign_in.html", {"error": _first_message(error, locale),
                                                         "email": form.get("email", ""), "next": form.get("next", "")},
                               status_code=error.status_code, headers=error.headers)
        token = await start_signed_in_session(request, pool, user.id)
        return Redirect(safe_next(data.next, request, locale), status_code=HTTP_303_SEE_OTHER,
                        cookies=[session_cookie(request, settings, token)])

    @get("/sign-up")
    async def sign_up_form(self, page: Page) -> Response:
        """The sign-up form."""
        return page.render("accounts/sign_up.html")

    @post("/sign-up", opt={"anonymous_write": "sign_up"})
    async def sign_up(self, request: AnyRequest, page: Page, db: Db, settings: NamedDependency[Settings],
                      locale: NamedDependency[str]) -> Response:
        """Create a customer account and sign it in."""

        async def save(data: SignUp) -> Response:
            user = await service.sign_up(db, data)
            await life.send_email_verification(db, user.id, user.email)
            token = await service.start_session(db, user.id)
            await signed_in(request, db, user.id)
            return see_other(page, "/account", [session_cookie(request, settings, token)])

        def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            message, field = errors[0]
            if status == FormInvalid.status_code:
                message, status = SIGN_UP_PROBLEMS.get(field, CHECK_THE_FORM), 400
            return page.render("accounts/sign_up.html", {"email": values.get("email"),
                                                         "display_name": values.get("display_name"),
                                                         "error": i18n.gettext(message, locale)}, status_code=status)

        form = await request.form()
        return await submit_form(db, page, form, SignUp, save, show_again, language=locale, password=_password(form))

    @post("/sign-out")
    async def sign_out(self, request: AnyRequest, page: Page, db: Db, settings: NamedDependency[Settings]) -> Response:
        """End the session and go home."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.end_session(db, token)
        return see_other(page, "/", [session_cookie(request, settings, "", expire=True)])


class MyAccountPage(Controller):
    """The signed-in user's own page."""

    path = "/account"
    opt = {"signed_in": True}

    @get("/")
    async def account(self, page: Page, principal: NamedDependency[Principal | None], db: Db) -> Response:
        """The signed-in user's page."""
        if principal is None or principal.user_id is None:
            raise Forbidden("API tokens have no account page.", code="not_a_user")
        user = await service.get_user(db, principal.user_id)
        links = [{"path": path, "label": label} for role, path, label in ROLE_LINKS if principal.has_role(role)]
        return page.render("accounts/account.html", {"user": user, "links": links})


class TokenPages(Controller):
    """The admin's API tokens: list, create (the secret shown once), revoke."""

    path = "/admin/tokens"
    opt = {"roles": ("admin",)}

    @get("/")
    async def tokens(self, page: Page, db: Db) -> Response:
        """Every API token."""
        return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db), "roles": ROLES})

    @post("/")
    async def create_token(self, request: AnyRequest, page: Page, db: Db,
                           principal: NamedDependency[Principal | None]) -> Response:
        """Create a token and show its secret once."""

        async def save(data: TokenForm) -> Response:
            created = await service.create_api_token(db, name=data.name, roles=data.roles,
                                                     created_by=principal.user_id if principal else None)
            return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db), "roles": ROLES,
                                                         "created": created}, status_code=HTTP_201_CREATED)

        async def show_again(_: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db), "roles": ROLES,
                                                         "error": errors[0][0]}, status_code=status)

        return await submit_form(db, page, await request.form(), TokenForm, save, show_again)

    @post("/{token_id:int}/revoke")
    async def revoke(self, page: Page, token_id: FromPath[int], db: Db) -> Redirect:
        """Revoke a token."""
        await service.revoke_api_token(db, token_id)
        return see_other(page, "/admin/tokens")


router = Router(path="/", route_handlers=[AccountPages, MyAccountPage, TokenPages])
