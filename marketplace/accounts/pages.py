"""Account pages: sign-up, sign-in, sign-out, my account, and the admin's API tokens."""

from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

import i18n
from marketplace.accounts import service
from marketplace.accounts.models import ROLES, SignUp
from marketplace.accounts.sessions import SESSION_COOKIE, session_cookie, signed_in, start_signed_in_session
from marketplace.platform.errors import AppError, Forbidden
from marketplace.platform.middleware import client_ip
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer

__all__ = ["account_page_handlers", "safe_next"]

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
)


def safe_next(value: str | None, request: Request[Any, Any, Any], locale: str) -> str:
    """A local path to go back to after signing in; anything else goes to the account page."""
    prefix = runtime_of(request.app.state).path_prefix
    fallback = f"{prefix}/{locale}/account"
    if not value:
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return fallback
    return value


def _message(error: AppError, locale: str) -> str:
    return i18n.gettext(error.message, locale)


class AccountPages(Controller):
    """Sign-up, sign-in and sign-out as pages that work without JavaScript."""

    path = "/account"

    @get("/sign-in")
    async def sign_in_form(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer]) -> Response:
        """The sign-in form."""
        return page.render("accounts/sign_in.html", {"next": request.query_params.get("next", "")})

    @post("/sign-in")
    async def sign_in(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer],
                      pool: NamedDependency[asyncpg.Pool], settings: NamedDependency[Settings],
                      locale: NamedDependency[str]) -> Response:
        """Check the credentials and start a session."""
        form = await request.form()
        email = str(form.get("email", ""))[:254]
        password = str(form.get("password", ""))[:200]
        next_path = str(form.get("next", ""))
        try:
            user = await service.authenticate(pool, email, password, client_ip(request.scope))
        except AppError as error:
            return page.render("accounts/sign_in.html", {"error": _message(error, locale), "email": email,
                                                         "next": next_path},
                               status_code=error.status_code, headers=error.headers)
        token = await start_signed_in_session(request, pool, user.id)
        return Redirect(safe_next(next_path, request, locale), status_code=HTTP_303_SEE_OTHER,
                        cookies=[session_cookie(request, settings, token)])

    @get("/sign-up")
    async def sign_up_form(self, page: NamedDependency[PageRenderer]) -> Response:
        """The sign-up form."""
        return page.render("accounts/sign_up.html")

    @post("/sign-up")
    async def sign_up(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer],
                      db: NamedDependency[asyncpg.Connection], settings: NamedDependency[Settings],
                      locale: NamedDependency[str]) -> Response:
        """Create a customer account and sign it in."""
        form = await request.form()
        values = {"email": str(form.get("email", "")).strip(), "password": str(form.get("password", "")),
                  "display_name": str(form.get("display_name", "")).strip(), "language": locale}
        context = {"email": values["email"], "display_name": values["display_name"]}
        try:
            data = msgspec.convert(values, SignUp)
        except msgspec.ValidationError as error:
            field = str(error).rsplit("$.", 1)[-1].rstrip("`")
            text = {"password": N_("The password must be at least 10 characters long."),
                    "email": N_("Enter a valid e-mail address.")}.get(field, N_("Check the form."))
            return page.render("accounts/sign_up.html", {**context, "error": i18n.gettext(text, locale)},
                               status_code=400)
        try:
            user = await service.sign_up(db, data)
        except AppError as error:
            return page.render("accounts/sign_up.html", {**context, "error": _message(error, locale)},
                               status_code=error.status_code)
        token = await service.start_session(db, user.id)
        await signed_in(request, db, user.id)
        return Redirect(f"{runtime_of(request.app.state).path_prefix}/{locale}/account",
                        status_code=HTTP_303_SEE_OTHER, cookies=[session_cookie(request, settings, token)])

    @post("/sign-out")
    async def sign_out(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                       settings: NamedDependency[Settings], locale: NamedDependency[str]) -> Response:
        """End the session and go home."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.end_session(db, token)
        return Redirect(f"{runtime_of(request.app.state).path_prefix}/{locale}/", status_code=HTTP_303_SEE_OTHER,
                        cookies=[session_cookie(request, settings, "", expire=True)])


def account_page_handlers(guards: Any) -> list[Any]:
    """Account pages, with the signed-in and admin-only ones guarded."""

    class MyAccountPage(Controller):
        path = "/account"

        @get("/", guards=[guards.authenticated])
        async def account(self, page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None],
                          db: NamedDependency[asyncpg.Connection]) -> Response:
            """The signed-in user's page."""
            if principal is None or principal.user_id is None:
                raise Forbidden("API tokens have no account page.", code="not_a_user")
            user = await service.get_user(db, principal.user_id)
            links = [{"path": path, "label": label} for role, path, label in ROLE_LINKS if principal.has_role(role)]
            return page.render("accounts/account.html", {"user": user, "links": links})

    admin_only = guards.admin

    class TokenPages(Controller):
        path = "/admin/tokens"
        guards = [admin_only]

        @get("/")
        async def tokens(self, page: NamedDependency[PageRenderer],
                         db: NamedDependency[asyncpg.Connection]) -> Response:
            """Every API token."""
            return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db),
                                                         "roles": ROLES})

        @post("/")
        async def create_token(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer],
                               db: NamedDependency[asyncpg.Connection],
                               principal: NamedDependency[Principal | None]) -> Response:
            """Create a token and show its secret once."""
            form = await request.form()
            name = str(form.get("name", "")).strip()[:100]
            roles = [str(role) for role in form.getall("roles", [])]
            try:
                if not name:
                    raise AppError("Give the token a name.", code="name_required")
                created = await service.create_api_token(db, name=name, roles=roles,
                                                         created_by=principal.user_id if principal else None)
            except AppError as error:
                return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db),
                                                             "roles": ROLES, "error": error.message},
                                   status_code=error.status_code)
            return page.render("accounts/tokens.html", {"tokens": await service.list_api_tokens(db),
                                                         "roles": ROLES, "created": created}, status_code=201)

        @post("/{token_id:int}/revoke")
        async def revoke(self, request: Request[Any, Any, Any], token_id: FromPath[int],
                         db: NamedDependency[asyncpg.Connection], locale: NamedDependency[str]) -> Response:
            """Revoke a token."""
            await service.revoke_api_token(db, token_id)
            return Redirect(f"{runtime_of(request.app.state).path_prefix}/{locale}/admin/tokens",
                            status_code=HTTP_303_SEE_OTHER)

    return [AccountPages, MyAccountPage, TokenPages]
