"""The merchant's check-in page: type (or scan: the ticket's QR code opens this page with the code filled in)
a ticket's code and mark its guests as arrived, once."""

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency

import i18n
from marketplace.orders.tickets import check_in, normalise_code
from marketplace.platform.errors import AppError
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE

__all__ = ["CheckInPages", "router", "CHECK_IN_PATH"]

CHECK_IN_PATH = "/merchant/check-in"


class CheckInPages(Controller):
    """Check guests in at the door (owners, assisting agents, admins)."""

    path = CHECK_IN_PATH
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/", name="orders.check_in")
    async def form(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer]) -> Response:
        """The code field (filled in when the page was opened from a ticket's QR code)."""
        return page.render("marketplace/check_in.html", {"code": normalise_code(request.query_params.get("code", ""))},
                           headers=NO_STORE)

    @post("/", name="orders.check_in_post")
    async def mark_arrived(self, request: Request[Any, Any, Any], page: NamedDependency[PageRenderer],
                           db: NamedDependency[asyncpg.Connection],
                           principal: NamedDependency[Principal | None]) -> Response:
        """Mark the ticket's guests as arrived; a used, unknown or unconfirmed ticket is refused with the reason."""
        code = str((await request.form()).get("code", ""))[:40]
        try:
            async with db.transaction():
                arrived = await check_in(db, principal, code)
        except AppError as error:
            # The error's details carry the time in ISO form (for the API); the page shows it the locale's way.
            used_at = (error.details or {}).get("checked_in_at") if isinstance(error.details, dict) else None
            return page.render("marketplace/check_in.html", {
                "code": normalise_code(code), "error": i18n.gettext(error.message, page.locale),
                "checked_in_at": datetime.fromisoformat(used_at) if used_at else None},
                status_code=error.status_code, headers=NO_STORE)
        return page.render("marketplace/check_in.html", {"arrived": arrived}, headers=NO_STORE)


router = Router(path="/", route_handlers=[CheckInPages])
