"""JSON API of tourists' feedback: report (anyone, anonymous writes limited per client), follow, and handle."""

from typing import Annotated, Any, Literal

import asyncpg
from litestar import Controller, Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.feedback import service
from marketplace.feedback.models import (
    MAX_PHOTO_BYTES,
    Feedback,
    FeedbackCreate,
    FeedbackReceipt,
    FeedbackResolve,
    FeedbackTracking,
)
from marketplace.media import ImagePipeline, require_file
from marketplace.platform.principal import Principal

__all__ = ["FeedbackApi", "FeedbackInboxApi", "router"]

Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]
Images = NamedDependency[ImagePipeline]
StatusFilter = Annotated[Literal["received", "assigned", "resolved"] | None,
                         QueryParameter(description="only reports in this status")]


class FeedbackApi(Controller):
    """A tourist's report about an attraction, a shop or a spot, and its progress through the private token."""

    path = "/feedback"
    tags = ["feedback"]

    @post("/", status_code=HTTP_201_CREATED, opt={"anonymous_write": "feedback", "refusals": (404,)})
    async def create(self, data: JSONBody[FeedbackCreate], db: Db, principal: Who) -> FeedbackReceipt:
        """Report a problem or a suggestion; keep the returned token: it is the only way to follow the report."""
        return await service.create_feedback(db, principal, data)

    # The token is the only key to the report: no shared cache may keep the answer.
    @get("/{token:str}", cache_control=CacheControlHeader(private=True, no_store=True))
    async def track(self, db: Db, token: FromPath[str]) -> FeedbackTracking:
        """The report behind a private token: its status and, once resolved, the reply."""
        return await service.track_feedback(db, token)

    @post("/{token:str}/photo", status_code=HTTP_200_OK, request_max_body_size=MAX_PHOTO_BYTES + 64 * 1024,
          opt={"anonymous_write": "feedback", "cpu_work": "image"})
    async def add_photo(self, request: Request[Any, Any, Any], db: Db, images: Images,
                        token: FromPath[str]) -> FeedbackTracking:
        """Attach a photo (multipart field `file`, at most 5 MB) to the report behind the token, while it has none.

        A form post: outside a browser, send the `csrftoken` cookie of any page back in the `x-csrftoken` header.
        """
        upload = require_file((await request.form()).get("file"))
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        return await service.attach_photo(db, token, images, data, upload.content_type)


class FeedbackInboxApi(Controller):
    """The reports routed to officials (by commune) and editors (about attractions)."""

    path = "/feedback-inbox"
    tags = ["feedback"]
    opt = {"roles": ("official", "editor")}

    @get("/")
    async def inbox(self, db: Db, principal: Who, status: StatusFilter = None) -> list[Feedback]:
        """The reports this person handles, open ones first."""
        return await service.list_inbox(db, principal, status)

    @get("/{feedback_id:int}")
    async def detail(self, db: Db, principal: Who, feedback_id: FromPath[int]) -> Feedback:
        """One report (404 outside the person's scope)."""
        return await service.get_feedback(db, principal, feedback_id)

    @post("/{feedback_id:int}/assign", status_code=HTTP_200_OK)
    async def assign(self, db: Db, principal: Who, feedback_id: FromPath[int]) -> Feedback:
        """Take the report: it is assigned to the caller."""
        return await service.assign_feedback(db, principal, feedback_id)

    @post("/{feedback_id:int}/resolve", status_code=HTTP_200_OK)
    async def resolve(self, data: JSONBody[FeedbackResolve], db: Db, principal: Who,
                      feedback_id: FromPath[int]) -> Feedback:
        """Resolve the report with a reply the reporter reads through their link."""
        return await service.resolve_feedback(db, principal, feedback_id, data.reply)


router = Router(path="/", route_handlers=[FeedbackApi, FeedbackInboxApi])
