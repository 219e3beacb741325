"""JSON API of merchants: self-service onboarding, the logo, the audit log and the approval queue.

Assisted onboarding and taking an account over are the agents package's (marketplace/agents/api.py).
"""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Router, get, post, put
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service
from marketplace.merchants.models import Merchant, MerchantDetails, MerchantLocation, MerchantReview, MerchantStart
from marketplace.platform.audit import AuditEntry, list_audit_log
from marketplace.platform.principal import Principal

__all__ = ["MerchantsApi", "ApprovalApi", "router"]

Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]


class MerchantsApi(Controller):
    """A person's own merchants and the three onboarding steps."""

    path = "/manage/merchants"
    tags = ["merchant"]
    opt = {"signed_in": True}

    @get("/")
    async def mine(self, db: Db, principal: Who) -> list[Merchant]:
        """The merchants I own."""
        return await service.list_my_merchants(db, principal)

    @post("/")
    async def start(self, db: Db, principal: Who, data: JSONBody[MerchantStart]) -> Merchant:
        """Step 1 of 3: name, kind and phone; the merchant is pending until approved."""
        return await service.start_onboarding(db, principal, data)

    @get("/{merchant_id:int}")
    async def get_merchant(self, db: Db, merchant_id: FromPath[int], principal: Who) -> Merchant:
        """A merchant I manage."""
        return await service.get_merchant_for(db, principal, merchant_id)

    @put("/{merchant_id:int}/location")
    async def location(self, db: Db, merchant_id: FromPath[int], principal: Who,
                       data: JSONBody[MerchantLocation]) -> Merchant:
        """Step 2 of 3: commune, address and map point."""
        return await service.save_location(db, principal, merchant_id, data)

    @put("/{merchant_id:int}/details")
    async def details(self, db: Db, merchant_id: FromPath[int], principal: Who,
                      data: JSONBody[MerchantDetails]) -> Merchant:
        """Step 3 of 3: story, delivery and OCOP; submits the merchant for review."""
        return await service.save_details(db, principal, merchant_id, data)

    @post("/{merchant_id:int}/logo", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024, opt={"cpu_work": "image"})
    async def logo(self, db: Db, merchant_id: FromPath[int], principal: Who, images: NamedDependency[ImagePipeline],
                   data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> Merchant:
        """Upload the shop's logo (multipart field `file`)."""
        return await service.store_logo(db, principal, merchant_id, images, data.get("file"))

    @get("/{merchant_id:int}/audit-log")
    async def audit_log(self, db: Db, merchant_id: FromPath[int], principal: Who) -> list[AuditEntry]:
        """Every action agents took for this merchant."""
        return await list_audit_log(db, principal, merchant_id)


class ApprovalApi(Controller):
    """The approval queue of admins and communes' agents."""

    path = "/admin/merchants"
    tags = ["admin"]
    opt = {"signed_in": True}

    @get("/pending")
    async def pending(self, db: Db, principal: Who) -> list[Merchant]:
        """Submitted merchants waiting for review (an agent sees its commune's)."""
        return await service.list_approval_queue(db, principal)

    @post("/{merchant_id:int}/review", status_code=200)
    async def review(self, db: Db, merchant_id: FromPath[int], principal: Who,
                     data: JSONBody[MerchantReview]) -> Merchant:
        """Approve or reject a submitted merchant."""
        return await service.review_merchant(db, principal, merchant_id, data)


router = Router(path="/", route_handlers=[MerchantsApi, ApprovalApi])
