"""Pages of community agents (assisted producers), of the approval queue, and of taking an account over."""

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n import TIME_ZONE
from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MERCHANT_KINDS, MerchantReview
from marketplace.orders.pages import see_other
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, commune_name
from marketplace.platform.errors import AppError
from marketplace.platform.forms import convert_form, error_lines, optional_int
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer

__all__ = ["agent_page_handlers"]

NO_STORE = {"cache-control": "private, no-store"}
CONSENT_METHODS = ("in_person_signature", "in_person_verbal", "phone_call", "paper_form")
ASSISTED_FIELDS = (
    "producer_name",
    "producer_phone",
    "shop_name",
    "kind",
    "commune_code",
    "address",
    "consent_given_by",
    "consent_method",
    "consent_at",
    "consent_note",
)


def agent_page_handlers(guards: Any) -> list[Any]:
    """Agent dashboard, approval queue, takeover."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class AgentPages(Controller):
        """A community agent's producers."""

        path = "/agent"
        include_in_schema = False
        guards = [shared_guards.community_agent]

        async def _render(
            self,
            db: asyncpg.Connection,
            page: PageRenderer,
            principal: Any,
            values: dict[str, Any],
            errors: list[Any],
            code: dict[str, Any] | None = None,
            status_code: int = 200,
        ) -> Any:
            assisted = await agents.list_assisted_merchants(db, principal)
            home_commune = await merchants.agent_commune(db, principal.user_id)
            return page.render(
                "marketplace/agent.html",
                {
                    "assisted": assisted,
                    "communes": commune_choices(DEFAULT_PROVINCE_CODE),
                    "kinds": MERCHANT_KINDS,
                    "consent_methods": CONSENT_METHODS,
                    "values": {"commune_code": home_commune, **values},
                    "errors": errors,
                    "code": code,
                    "commune_name": commune_name,
                    "now": datetime.now(TIME_ZONE).strftime("%Y-%m-%dT%H:%M"),
                },
                status_code=status_code,
                headers=NO_STORE,
            )

        @get("/", name="marketplace.agent")
        async def home(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """The producers I assist and the form to register one."""
            return await self._render(db, page, principal, {}, [])

        @post("/merchants", name="marketplace.agent_register")
        async def register(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """Register a producer with its consent; go to its dashboard to add products."""
            form = await request.form()
            values = {key: form.get(key) for key in ASSISTED_FIELDS}
            try:
                consent_at = datetime.fromisoformat(str(values["consent_at"] or "")).replace(tzinfo=TIME_ZONE)
                data = convert_form(
                    {
                        **values,
                        "consent_at": consent_at,
                        "consent_note": values["consent_note"] or "",
                        "offers_pickup": bool(form.get("offers_pickup")),
                        "delivery_fee": optional_int(form, "delivery_fee"),
                    },
                    AssistedMerchantCreate,
                )
                merchant = await agents.register_assisted_merchant(db, principal, data)
            except ValueError:
                return await self._render(
                    db, page, principal, values, [("Please check the form.", "consent_at")], status_code=422
                )
            except AppError as error:
                return await self._render(
                    db, page, principal, values, error_lines(error), status_code=error.status_code
                )
            return see_other(page, f"/merchant/{merchant.id}")

        @post("/merchants/{merchant_id:int}/takeover-code", name="marketplace.agent_takeover_code")
        async def takeover_code(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Show a new one-time code (once) for the producer."""
            code = await agents.create_takeover_code(db, principal, merchant_id)
            return await self._render(
                db,
                page,
                principal,
                {},
                [],
                code={"merchant_id": merchant_id, "code": code.code, "expires_at": code.expires_at},
            )

    class ApprovalPages(Controller):
        """The approval queue (admins: all; agents: their commune)."""

        path = "/admin/merchants"
        include_in_schema = False
        guards = [shared_guards.authenticated]

        @get("/", name="marketplace.approval_queue")
        async def queue(
            self,
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """Merchants waiting for review."""
            pending = await merchants.list_approval_queue(db, principal)
            return page.render(
                "marketplace/approval_queue.html", {"pending": pending, "commune_name": commune_name}, headers=NO_STORE
            )

        @post("/{merchant_id:int}/review", name="marketplace.approval_review")
        async def review(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
            merchant_id: FromPath[int],
        ) -> Any:
            """Approve or reject."""
            form = await request.form()
            note = str(form.get("note") or "")[:500]
            await merchants.review_merchant(
                db, principal, merchant_id, MerchantReview(approve=form.get("decision") == "approve", note=note)
            )
            return see_other(page, "/admin/merchants")

    class TakeoverPages(Controller):
        """A producer takes over the account an agent created."""

        path = "/merchant/takeover"
        include_in_schema = False
        guards = [shared_guards.authenticated]

        @get("/", name="marketplace.takeover")
        async def form(self, page: NamedDependency[PageRenderer]) -> Any:
            """Enter the code."""
            return page.render("marketplace/takeover.html", {"errors": []}, headers=NO_STORE)

        @post("/", name="marketplace.takeover_post")
        async def redeem(
            self,
            request: Request[Any, Any, Any],
            db: NamedDependency[asyncpg.Connection],
            page: NamedDependency[PageRenderer],
            principal: NamedDependency[Principal | None],
        ) -> Any:
            """Become the owner."""
            form = await request.form()
            try:
                merchant = await agents.redeem_takeover_code(db, principal, str(form.get("code") or "")[:40])
            except AppError as error:
                return page.render(
                    "marketplace/takeover.html", {"errors": error_lines(error)}, status_code=error.status_code
                )
            return see_other(page, f"/merchant/{merchant.id}")

    return [AgentPages, ApprovalPages, TakeoverPages]
