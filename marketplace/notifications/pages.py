"""Notification pages: the admins' outbox, a person's notifications, channel choices, one-click unsubscribe."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from i18n.forms import decode_form
from marketplace.notifications import service
from marketplace.notifications.messages import renderer_for
from marketplace.notifications.models import STATES, PreferencesForm
from marketplace.platform.access import require_user
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other

__all__ = ["OutboxPages", "InboxPages", "UnsubscribePages", "router", "UNSUBSCRIBE_PATH"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
AnyRequest = Request[Any, Any, Any]
# The one-click unsubscribe is posted by mail clients without a CSRF token: its signed query authorises it.
UNSUBSCRIBE_PATH = "/notifications/unsubscribe"


class OutboxPages(Controller):
    """What was sent, what is waiting, what failed (with its error), and what no channel could carry."""

    path = "/admin/outbox"
    opt = {"roles": ("admin",)}

    @get("/", name="notifications.outbox")
    async def outbox(self, request: AnyRequest, page: Page, db: Db) -> Response:
        """The newest deliveries, optionally of one state."""
        state = request.query_params.get("state")
        state = state if state in STATES else None
        renderer = renderer_for(runtime_of(request.app.state))
        return page.render("notifications/outbox.html", {
            "entries": await service.outbox(db, renderer, state), "counts": await service.outbox_counts(db),
            "states": STATES, "state": state}, headers=NO_STORE)

    @post("/{delivery_id:int}/retry", name="notifications.outbox_retry")
    async def retry(self, page: Page, db: Db, delivery_id: FromPath[int]) -> Redirect:
        """Try a failed message again."""
        await service.retry(db, delivery_id)
        return see_other(page, "/admin/outbox")


class InboxPages(Controller):
    """A signed-in person's notifications and channel choices."""

    path = "/"
    opt = {"signed_in": True}

    @get("/notifications", name="notifications.inbox")
    async def inbox(self, request: AnyRequest, page: Page, db: Db,
                    principal: NamedDependency[Principal | None]) -> Response:
        """Newest first; unread ones marked."""
        user_id = require_user(principal)
        renderer = renderer_for(runtime_of(request.app.state))
        return page.render("notifications/inbox.html", {"entries": await service.inbox(db, renderer, user_id)},
                           headers=NO_STORE)

    @post("/notifications/read", name="notifications.read")
    async def read(self, page: Page, db: Db, principal: NamedDependency[Principal | None]) -> Redirect:
        """Mark every notification as read."""
        await service.mark_all_read(db, require_user(principal))
        return see_other(page, "/notifications")

    @get("/account/notifications", name="notifications.preferences")
    async def preferences(self, page: Page, db: Db, principal: NamedDependency[Principal | None]) -> Response:
        """Which channels carry my notifications, and whether I get notices."""
        choices = await service.preferences(db, require_user(principal))
        return page.render("notifications/preferences.html", {"choices": choices}, headers=NO_STORE)

    @post("/account/notifications", name="notifications.preferences_post")
    async def save_preferences(self, request: AnyRequest, page: Page, db: Db,
                               principal: NamedDependency[Principal | None]) -> Redirect:
        """Save the choices."""
        form = decode_form(await request.form(), PreferencesForm)
        await service.save_preferences(db, require_user(principal), form)
        return see_other(page, "/account/notifications?saved=1")


class UnsubscribePages(Controller):
    """The link in every notice: a page with one button, and the one-click POST mail clients send (RFC 8058)."""

    path = UNSUBSCRIBE_PATH

    @get("/", name="notifications.unsubscribe")
    async def confirm(self, request: AnyRequest, page: Page) -> Response:
        """Ask before unsubscribing (a link prefetcher must not unsubscribe anyone)."""
        return page.render("notifications/unsubscribe.html", {"u": request.query_params.get("u", ""),
                                                               "t": request.query_params.get("t", "")})

    @post("/", name="notifications.unsubscribe_post")
    async def unsubscribe(self, request: AnyRequest, page: Page, db: Db,
                          settings: NamedDependency[Settings]) -> Response:
        """Stop notices for the account the signed link names; transactional mail keeps coming."""
        user = request.query_params.get("u", "")
        await service.unsubscribe(db, settings.secret_key, int(user) if user.isdigit() else 0,
                                  request.query_params.get("t", ""))
        return page.render("notifications/unsubscribe.html", {"done": True})


router = Router(path="/", route_handlers=[OutboxPages, InboxPages, UnsubscribePages])
