"""JSON API of merchants: onboarding, approval, assisted onboarding, takeover and the audit log."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate, Consent, TakeoverCode, TakeoverRedeem
from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service
from marketplace.merchants.dashboard import store_logo
from marketplace.merchants.models import Merchant, MerchantDetails, MerchantLocation, MerchantReview, MerchantStart
from marketplace.platform.audit import AuditEntry, list_audit_log
from marketplace.platform.principal import Principal

__all__ = ["merchant_api_handlers"]


def merchant_api_handlers(guards: Any) -> list[Any]:
    """Controllers for merchants, agents and the approval queue."""
    # A class body cannot see a parameter it also assigns (`guards`), hence the alias.
    shared_guards = guards

    class MerchantsApi(Controller):
        """A person's own merchants and the three onboarding steps."""

        path = "/manage/merchants"
        tags = ["merchant"]
        guards = [shared_guards.authenticated]

        @get("/")
        async def mine(
            self, db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None]
        ) -> list[Merchant]:
            """The merchants I own."""
            return await service.list_my_merchants(db, principal)

        @post("/")
        async def start(
            self,
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[MerchantStart],
        ) -> Merchant:
            """Step 1 of 3: name, kind and phone; the merchant is pending until approved."""
            return await service.start_onboarding(db, principal, data)

        @get("/{merchant_id:int}")
        async def get_merchant(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
        ) -> Merchant:
            """A merchant I manage."""
            return await service.get_merchant_for(db, principal, merchant_id)

        @put("/{merchant_id:int}/location")
        async def location(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            data: JSONBody[MerchantLocation],
        ) -> Merchant:
            """Step 2 of 3: commune, address and map point."""
            return await service.save_location(db, principal, merchant_id, data)

        @put("/{merchant_id:int}/details")
        async def details(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            data: JSONBody[MerchantDetails],
        ) -> Merchant:
            """Step 3 of 3: story, delivery and OCOP; submits the merchant for review."""
            return await service.save_details(db, principal, merchant_id, data)

        @post("/{merchant_id:int}/logo", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
        async def logo(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            images: NamedDependency[ImagePipeline],
            data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
        ) -> Merchant:
            """Upload the shop's logo (multipart field `file`)."""
            return await store_logo(db, principal, merchant_id, images, data.get("file"))

        @get("/{merchant_id:int}/audit-log")
        async def audit_log(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
        ) -> list[AuditEntry]:
            """Every action agents took for this merchant."""
            return await list_audit_log(db, principal, merchant_id)

        @get("/{merchant_id:int}/consent")
        async def consent(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
        ) -> list[Consent]:
            """The recorded consent of an assisted producer."""
            return await agents.get_consent(db, principal, merchant_id)

        @post("/{merchant_id:int}/takeover-codes")
        async def takeover_code(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
        ) -> TakeoverCode:
            """A one-time code for the producer to take the account over (shown once)."""
            return await agents.create_takeover_code(db, principal, merchant_id)

        @post("/takeover", status_code=200)
        async def take_over(
            self,
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[TakeoverRedeem],
        ) -> Merchant:
            """Become the owner of an assisted merchant with its one-time code."""
            return await agents.redeem_takeover_code(db, principal, data.code)

    class AgentApi(Controller):
        """A community agent's assisted producers."""

        path = "/agent/merchants"
        tags = ["agent"]
        guards = [shared_guards.community_agent]

        @get("/")
        async def assisted(
            self, db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None]
        ) -> list[Merchant]:
            """The merchants I assist, and no others."""
            return await agents.list_assisted_merchants(db, principal)

        @post("/")
        async def register(
            self,
            db: NamedDependency[asyncpg.Connection],
            principal: NamedDependency[Principal | None],
            data: JSONBody[AssistedMerchantCreate],
        ) -> Merchant:
            """Register a household producer on its behalf, with its recorded consent."""
            return await agents.register_assisted_merchant(db, principal, data)

    class ApprovalApi(Controller):
        """The approval queue of admins and communes' agents."""

        path = "/admin/merchants"
        tags = ["admin"]
        guards = [shared_guards.authenticated]

        @get("/pending")
        async def pending(
            self, db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal | None]
        ) -> list[Merchant]:
            """Submitted merchants waiting for review (an agent sees its commune's)."""
            return await service.list_approval_queue(db, principal)

        @post("/{merchant_id:int}/review", status_code=200)
        async def review(
            self,
            db: NamedDependency[asyncpg.Connection],
            merchant_id: FromPath[int],
            principal: NamedDependency[Principal | None],
            data: JSONBody[MerchantReview],
        ) -> Merchant:
            """Approve or reject a submitted merchant."""
            return await service.review_merchant(db, principal, merchant_id, data)

    return [MerchantsApi, AgentApi, ApprovalApi]
