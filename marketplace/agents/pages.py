"""Pages of community agents (assisted producers), of a shop's audit log, and of taking an account over."""

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n import TIME_ZONE
from marketplace.agents import service
from marketplace.agents.models import CONSENT_METHODS, AssistedMerchantCreate, TakeoverCode, TakeoverRedeem
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MERCHANT_KINDS
from marketplace.orders.notices import dashboard_counts
from marketplace.platform.audit import list_audit_log
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, commune_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, submit_form

__all__ = ["AgentPages", "AuditLogPages", "TakeoverPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
AnyRequest = Request[Any, Any, Any]
Errors = list[tuple[str, str]]


async def _agent_page(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None,
                      values: dict[str, Any], errors: Errors, status: int = 200,
                      code: TakeoverCode | None = None) -> Response:
    """The agent's producers, the form to register one (its commune chosen first), a new code if any."""
    assisted = await service.list_assisted_merchants(db, principal)
    home_commune = await merchants.agent_commune(db, principal.user_id) if principal and principal.user_id else None
    return page.render(
        "marketplace/agent.html",
        {
            "assisted": assisted,
            "counts": await dashboard_counts(db, principal.user_id if principal else None),
            "communes": commune_choices(DEFAULT_PROVINCE_CODE),
            "kinds": MERCHANT_KINDS,
            "consent_methods": CONSENT_METHODS,
            "values": {"commune_code": home_commune, **values},
            "errors": errors,
            "code": code,
            "commune_name": commune_name,
            "now": datetime.now(TIME_ZONE).strftime("%Y-%m-%dT%H:%M"),
        },
        status_code=status,
        headers=NO_STORE,
    )


class AgentPages(Controller):
    """A community agent's producers."""

    path = "/agent"
    include_in_schema = False
    opt = {"roles": ("community_agent",)}

    @get("/", name="marketplace.agent")
    async def home(self, db: Db, page: Page, principal: Who) -> Response:
        """The producers I assist and the form to register one."""
        return await _agent_page(db, page, principal, {}, [])

    @post("/merchants", name="marketplace.agent_register")
    async def register(self, request: AnyRequest, db: Db, page: Page, principal: Who) -> Response:
        """Register a producer with its consent; go to its dashboard to add products."""

        async def save(data: AssistedMerchantCreate) -> str:
            merchant = await service.register_assisted_merchant(db, principal, data)
            return f"/merchant/{merchant.id}"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            return await _agent_page(db, page, principal, values, errors, status)

        return await submit_form(db, page, await request.form(), AssistedMerchantCreate, save, show_again)

    @post("/merchants/{merchant_id:int}/takeover-code", name="marketplace.agent_takeover_code")
    async def takeover_code(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """Show a new one-time code (once) for the producer."""
        code = await service.create_takeover_code(db, principal, merchant_id)
        return await _agent_page(db, page, principal, {}, [], code=code)


class AuditLogPages(Controller):
    """What agents did for a merchant, and the consent they recorded."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/{merchant_id:int}/audit-log", name="marketplace.audit_log")
    async def audit(self, db: Db, page: Page, principal: Who, merchant_id: FromPath[int]) -> Response:
        """What agents did for this merchant."""
        merchant = await merchants.get_merchant_for(db, principal, merchant_id)
        return page.render(
            "marketplace/audit_log.html",
            {
                "merchant": merchant,
                "entries": await list_audit_log(db, principal, merchant_id),
                "consents": await service.get_consent(db, principal, merchant_id),
            },
            headers=NO_STORE,
        )


class TakeoverPages(Controller):
    """A producer takes over the account an agent created."""

    path = "/merchant/takeover"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/", name="marketplace.takeover")
    async def form(self, page: Page) -> Response:
        """Enter the code."""
        return page.render("marketplace/takeover.html", {"errors": []}, headers=NO_STORE)

    @post("/", name="marketplace.takeover_post")
    async def redeem(self, request: AnyRequest, db: Db, page: Page, principal: Who) -> Response:
        """Become the owner."""

        async def save(data: TakeoverRedeem) -> str:
            merchant = await service.redeem_takeover_code(db, principal, data.code)
            return f"/merchant/{merchant.id}"

        def show_again(_: dict[str, Any], errors: Errors, status: int) -> Response:
            return page.render("marketplace/takeover.html", {"errors": errors}, status_code=status, headers=NO_STORE)

        return await submit_form(db, page, await request.form(), TakeoverRedeem, save, show_again)


router = Router(path="/", route_handlers=[AgentPages, AuditLogPages, TakeoverPages])
