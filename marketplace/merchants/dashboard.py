"""The shop's own settings on the merchant dashboard: its logo.

The dashboard's home, products, stock and slots are the catalog's pages (marketplace/catalog/dashboard.py), its
audit log and the producer's consent the agents' (marketplace/agents/pages.py): each page lives with the data
it shows, so no package needs one above it.
"""

from typing import Any

import asyncpg
from litestar import Controller, Request, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import see_other

__all__ = ["ShopLogoPages", "router"]


class ShopLogoPages(Controller):
    """The shop's logo, uploaded from the dashboard."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @post("/{merchant_id:int}/logo", name="marketplace.logo_upload", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
    async def upload_logo(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                          page: NamedDependency[PageRenderer], principal: NamedDependency[Principal | None],
                          images: NamedDependency[ImagePipeline], merchant_id: FromPath[int]) -> Redirect:
        """Upload the shop's logo."""
        form = await request.form()
        await service.store_logo(db, principal, merchant_id, images, form.get("file"))
        return see_other(page, f"/merchant/{merchant_id}")


router = Router(path="/", route_handlers=[ShopLogoPages])
