"""The admins' webhook pages: endpoints (the secret shown once), each endpoint's delivery log, "send again"."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_201_CREATED

from i18n.forms import decode_form
from marketplace.platform.principal import Principal
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form
from marketplace.webhooks import service
from marketplace.webhooks.models import DELIVERY_STATES, ActiveForm, EndpointForm
from marketplace.webhooks.signing import sealing_key
from search.changes import EVENT_TYPES

__all__ = ["EVENT_LABELS", "WebhookPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
AnyRequest = Request[Any, Any, Any]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


EVENT_LABELS: dict[str, str] = {
    "product.created": N_("Product created"),
    "product.updated": N_("Product updated"),
    "product.deleted": N_("Product deleted"),
    "experience.created": N_("Experience created"),
    "experience.updated": N_("Experience updated"),
    "experience.deleted": N_("Experience deleted"),
    "attraction.created": N_("Attraction created"),
    "attraction.updated": N_("Attraction updated"),
    "attraction.deleted": N_("Attraction deleted"),
    "event.created": N_("Event created"),
    "event.updated": N_("Event updated"),
    "event.deleted": N_("Event deleted"),
    "feedback.created": N_("Feedback received"),
    "feedback.resolved": N_("Feedback resolved"),
    "merchant.approved": N_("Merchant approved"),
}
STATE_LABELS: dict[str, str] = {
    "pending": N_("Waiting"),
    "sending": N_("Sending"),
    "delivered": N_("Accepted by the receiver"),
    "failed": N_("Given up"),
}


class WebhookPages(Controller):
    """Register receivers, see what each was sent and what it answered, send an event again."""

    path = "/admin/webhooks"
    opt = {"roles": ("admin",)}

    async def _list(self, page: PageRenderer, db: asyncpg.Connection, status_code: int = 200,
                    **context: Any) -> Response:
        return page.render("webhooks/endpoints.html", {
            "endpoints": await service.list_endpoints(db), "event_types": EVENT_TYPES, "labels": EVENT_LABELS,
            "values": {}, **context}, status_code=status_code, headers=NO_STORE)

    @get("/", name="webhooks.endpoints")
    async def endpoints(self, page: Page, db: Db) -> Response:
        """Every endpoint, and the form for a new one."""
        return await self._list(page, db)

    @post("/", name="webhooks.create")
    async def create(self, request: AnyRequest, page: Page, db: Db, settings: NamedDependency[Settings],
                     principal: NamedDependency[Principal | None]) -> Response:
        """Register an endpoint; the answer is the only page that ever shows its secret."""

        async def save(data: EndpointForm) -> Response:
            created = await service.create_endpoint(db, sealing_key(settings.secret_key), data,
                                                    principal.user_id if principal else None)
            return await self._list(page, db, HTTP_201_CREATED, created=created)

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await self._list(page, db, status, values=values, errors=errors)

        return await submit_form(db, page, await request.form(), EndpointForm, save, show_again)

    @get("/{endpoint_id:int}", name="webhooks.endpoint")
    async def endpoint(self, request: AnyRequest, page: Page, db: Db, endpoint_id: FromPath[int]) -> Response:
        """One endpoint and its newest deliveries, each with its attempts."""
        state = request.query_params.get("state")
        state = state if state in DELIVERY_STATES else None
        return page.render("webhooks/endpoint.html", {
            "endpoint": await service.get_endpoint(db, endpoint_id),
            "deliveries": await service.deliveries(db, endpoint_id, state), "state": state,
            "states": DELIVERY_STATES, "state_labels": STATE_LABELS, "labels": EVENT_LABELS}, headers=NO_STORE)

    @post("/{endpoint_id:int}/active", name="webhooks.active")
    async def set_active(self, request: AnyRequest, page: Page, db: Db, endpoint_id: FromPath[int]) -> Redirect:
        """Pause or resume the endpoint."""
        form = decode_form(await request.form(), ActiveForm)
        await service.set_active(db, endpoint_id, form.active)
        return see_other(page, f"/admin/webhooks/{endpoint_id}")

    @post("/{endpoint_id:int}/delete", name="webhooks.delete")
    async def delete(self, page: Page, db: Db, endpoint_id: FromPath[int]) -> Redirect:
        """Remove the endpoint with its log."""
        await service.delete_endpoint(db, endpoint_id)
        return see_other(page, "/admin/webhooks")

    @post("/deliveries/{delivery_id:int}/resend", name="webhooks.resend")
    async def resend(self, page: Page, db: Db, delivery_id: FromPath[int]) -> Redirect:
        """Send a delivered or given-up event to its endpoint again."""
        endpoint_id = await service.resend(db, delivery_id)
        return see_other(page, f"/admin/webhooks/{endpoint_id}?resent={delivery_id}")


router = Router(path="/", route_handlers=[WebhookPages])
