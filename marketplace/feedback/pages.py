"""Pages of tourists' feedback: the report form, the reporter's private page, and the staff's inbox."""

from typing import Annotated, Any, Literal

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from marketplace.feedback import service
from marketplace.feedback.models import (
    CATEGORIES,
    MAX_BODY_CHARS,
    MAX_PHOTO_BYTES,
    MAX_REPLY_CHARS,
    STATUSES,
    FeedbackForm,
    ResolveForm,
)
from marketplace.media import ImagePipeline, StoredImage
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices, commune_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, see_other, submit_form

__all__ = ["FeedbackPages", "FeedbackInboxPages", "router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
Locale = NamedDependency[str]
Images = NamedDependency[ImagePipeline]
AnyRequest = Request[Any, Any, Any]
SubjectSlug = Annotated[str | None, QueryParameter(max_length=80, description="what the report is about")]
StatusFilter = Annotated[Literal["received", "assigned", "resolved"] | None,
                         QueryParameter(description="only reports in this status")]
# The text fields of the form beside the photo; anything larger is refused before it is read.
MAX_FORM_BYTES = MAX_PHOTO_BYTES + 64 * 1024
# The private page must not tell another site its address (the token is the only key to it).
PRIVATE = {**NO_STORE, "referrer-policy": "no-referrer"}
COMMON = {"categories": CATEGORIES, "statuses": dict(STATUSES), "commune_name": commune_name}


async def _form_page(db: asyncpg.Connection, page: PageRenderer, values: dict[str, Any],
                     errors: list[tuple[str, str]], status: int = 200) -> Response:
    subject = await service.describe_subject(db, values.get("attraction") or None, values.get("shop") or None)
    return page.render("feedback/new.html", {
        **COMMON, "values": values, "errors": errors, "subject": subject,
        "communes": commune_choices(DEFAULT_PROVINCE_CODE), "max_body": MAX_BODY_CHARS,
        "max_photo_mb": MAX_PHOTO_BYTES // (1024 * 1024)}, status_code=status, headers=NO_STORE)


async def _photo(images: ImagePipeline, upload: Any) -> StoredImage | None:
    """The attached photo through the image pipeline; None when no file was chosen."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_PHOTO_BYTES + 1)
    if not data:
        return None
    return await service.store_photo(images, data, upload.content_type)


class FeedbackPages(Controller):
    """Report a problem or a suggestion (anyone), and follow it through its private link."""

    path = "/feedback"
    include_in_schema = False

    @get("/new", name="feedback.new")
    async def new(self, db: Db, page: Page, attraction: SubjectSlug = None, shop: SubjectSlug = None) -> Response:
        """The report form, about an attraction or a shop when the link said so, else about a spot."""
        return await _form_page(db, page, {"attraction": attraction, "shop": shop}, [])

    @post("/new", name="feedback.create", request_max_body_size=MAX_FORM_BYTES,
          opt={"anonymous_write": "feedback", "cpu_work": "image"})
    async def create(self, request: AnyRequest, db: Db, page: Page, principal: Who, locale: Locale,
                     images: Images) -> Response:
        """Record the report (its photo through the image pipeline) and open its private page."""
        form = await request.form()

        async def save(data: FeedbackForm) -> str:
            photo = await _photo(images, form.get("photo"))
            try:
                receipt = await service.create_feedback(db, principal, data.create(locale), photo)
            except Exception:
                if photo is not None:  # the report was refused: its photo must not stay behind
                    await images.delete(photo.key)
                raise
            return receipt.path + "?new=1"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            values.pop("photo", None)
            return await _form_page(db, page, values, errors, status)

        return await submit_form(db, page, form, FeedbackForm, save, show_again)

    @get("/{token:str}", name="feedback.track")
    async def track(self, db: Db, page: Page, token: FromPath[str], new: Annotated[
            int | None, QueryParameter(description="1 right after reporting")] = None) -> Response:
        """The reporter's private page: the report, its status, and the reply once resolved."""
        report = await service.track_feedback(db, token)
        return page.render("feedback/track.html", {**COMMON, "report": report, "just_sent": new == 1},
                           headers=PRIVATE)


class FeedbackInboxPages(Controller):
    """The officials' and editors' inbox: the reports routed to them, taken and resolved with a reply."""

    path = "/feedback/inbox"
    include_in_schema = False
    opt = {"roles": ("official", "editor")}

    @get("/", name="feedback.inbox")
    async def inbox(self, db: Db, page: Page, principal: Who, status: StatusFilter = None) -> Response:
        """The reports this person handles, open ones first."""
        reports = await service.list_inbox(db, principal, status)
        return page.render("feedback/inbox.html", {**COMMON, "reports": reports, "status": status},
                           headers=NO_STORE)

    @get("/{feedback_id:int}", name="feedback.inbox_item")
    async def item(self, db: Db, page: Page, principal: Who, feedback_id: FromPath[int]) -> Response:
        """One report with the forms to take it and to resolve it."""
        return await _item_page(db, page, principal, feedback_id, {}, [])

    @post("/{feedback_id:int}/assign", name="feedback.assign")
    async def assign(self, db: Db, page: Page, principal: Who, feedback_id: FromPath[int]) -> Redirect:
        """Take the report."""
        await service.assign_feedback(db, principal, feedback_id)
        return see_other(page, f"/feedback/inbox/{feedback_id}")

    @post("/{feedback_id:int}/resolve", name="feedback.resolve")
    async def resolve(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                      feedback_id: FromPath[int]) -> Response:
        """Resolve the report with a reply to its reporter."""

        async def save(data: ResolveForm) -> str:
            await service.resolve_feedback(db, principal, feedback_id, data.reply)
            return f"/feedback/inbox/{feedback_id}"

        async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
            return await _item_page(db, page, principal, feedback_id, values, errors, status)

        return await submit_form(db, page, await request.form(), ResolveForm, save, show_again)


async def _item_page(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, feedback_id: int,
                     values: dict[str, Any], errors: list[tuple[str, str]], status: int = 200) -> Response:
    report = await service.get_feedback(db, principal, feedback_id)
    return page.render("feedback/item.html", {**COMMON, "report": report, "values": values, "errors": errors,
                                              "max_reply": MAX_REPLY_CHARS}, status_code=status, headers=NO_STORE)


router = Router(path="/", route_handlers=[FeedbackPages, FeedbackInboxPages])
