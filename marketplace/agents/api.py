"""JSON API of assisted onboarding: an agent's producers, their consent, and taking an account over."""

import asyncpg
from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from marketplace.agents import service
from marketplace.agents.models import AssistedMerchantCreate, Consent, TakeoverCode, TakeoverRedeem
from marketplace.merchants.models import Merchant
from marketplace.platform.principal import Principal

__all__ = ["AgentApi", "TakeoverApi", "router"]

Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]


class AgentApi(Controller):
    """A community agent's assisted producers."""

    path = "/agent/merchants"
    tags = ["agent"]
    opt = {"roles": ("community_agent",)}

    @get("/")
    async def assisted(self, db: Db, principal: Who) -> list[Merchant]:
        """The merchants I assist, and no others."""
        return await service.list_assisted_merchants(db, principal)

    @post("/")
    async def register(self, db: Db, principal: Who, data: JSONBody[AssistedMerchantCreate]) -> Merchant:
        """Register a household producer on its behalf, with its recorded consent."""
        return await service.register_assisted_merchant(db, principal, data)


class TakeoverApi(Controller):
    """An assisted merchant's consent, and the one-time codes that hand it over to the producer."""

    path = "/manage/merchants"
    tags = ["merchant"]
    opt = {"signed_in": True}

    @get("/{merchant_id:int}/consent")
    async def consent(self, db: Db, merchant_id: FromPath[int], principal: Who) -> list[Consent]:
        """The recorded consent of an assisted producer."""
        return await service.get_consent(db, principal, merchant_id)

    @post("/{merchant_id:int}/takeover-codes")
    async def takeover_code(self, db: Db, merchant_id: FromPath[int], principal: Who) -> TakeoverCode:
        """A one-time code for the producer to take the account over (shown once)."""
        return await service.create_takeover_code(db, principal, merchant_id)

    @post("/takeover", status_code=200)
    async def take_over(self, db: Db, principal: Who, data: JSONBody[TakeoverRedeem]) -> Merchant:
        """Become the owner of an assisted merchant with its one-time code."""
        return await service.redeem_takeover_code(db, principal, data.code)


router = Router(path="/", route_handlers=[AgentApi, TakeoverApi])
