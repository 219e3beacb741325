"""Batch pages: the merchant's batches of a product (CSRF forms, no JavaScript), their labels, and the public
trace page a label's QR code leads to. The short link /t/{code} counts the scan and sends the reader there."""

import re
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from i18n import DEFAULT_LOCALE, LOCALE_COOKIE, negotiate_locale
from marketplace.catalog import service as catalog
from marketplace.platform.divisions import commune_name
from marketplace.platform.principal import Principal
from marketplace.platform.templating import PageRenderer
from marketplace.platform.web import NO_STORE, submit_form
from marketplace.traceability import service
from marketplace.traceability.api import label_response, public_base
from marketplace.traceability.models import TRACE_CODE_PATTERN, BatchForm
from marketplace.traceability.sheets import trace_link

__all__ = ["BatchPages", "TracePages", "page_router", "root_router"]

Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
Who = NamedDependency[Principal | None]
AnyRequest = Request[Any, Any, Any]
Errors = list[tuple[str, str]]
TRACE_CODE = re.compile(TRACE_CODE_PATTERN)
# A phone that scans the same label again within a day is not counted twice: the short link leaves a cookie
# scoped to that one link (HttpOnly, nothing else reads it). Only this obvious repeat is left out; two
# phones, or a reader who refuses cookies, count each time.
SEEN_SECONDS = 24 * 3600


async def _batches_page(db: asyncpg.Connection, page: PageRenderer, principal: Principal | None, product_id: int,
                        values: dict[str, Any], errors: Errors, status: int = 200) -> Response:
    product = await catalog.get_product_for(db, principal, product_id)
    return page.render("traceability/batches.html", {
        "product": product, "batches": await service.list_product_batches(db, principal, product_id),
        "values": values, "errors": errors}, status_code=status, headers=NO_STORE)


async def _batch_page(request: AnyRequest, db: asyncpg.Connection, page: PageRenderer, principal: Principal | None,
                      batch_id: int, values: dict[str, Any] | None, errors: Errors, status: int = 200) -> Response:
    batch = await service.get_batch_for(db, principal, batch_id)
    product = await catalog.get_product_for(db, principal, batch.product_id)
    shown = values if values is not None else {
        "batch_code": batch.batch_code, "date_kind": batch.date_kind, "produced_on": batch.produced_on.isoformat(),
        "quantity": batch.quantity, "certificates": "\n".join(batch.certificates), "inputs_note": batch.inputs_note}
    return page.render("traceability/batch.html", {
        "product": product, "batch": batch, "values": shown, "errors": errors,
        "trace_url": trace_link(public_base(request), batch.trace_code)}, status_code=status, headers=NO_STORE)


class BatchPages(Controller):
    """A product's batches and one batch's facts and labels, for those who manage its merchant."""

    path = "/merchant"
    include_in_schema = False
    opt = {"signed_in": True}

    @get("/products/{product_id:int}/batches", name="traceability.batches")
    async def batches(self, db: Db, page: Page, principal: Who, product_id: FromPath[int]) -> Response:
        """The product's batches and the form to record one."""
        return await _batches_page(db, page, principal, product_id, {}, [])

    @post("/products/{product_id:int}/batches", name="traceability.batch_record")
    async def record(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                     product_id: FromPath[int]) -> Response:
        """Record a batch, then show it with its labels."""

        async def save(data: BatchForm) -> str:
            batch = await service.record_batch(db, principal, product_id, data.change())
            return f"/merchant/batches/{batch.id}"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            return await _batches_page(db, page, principal, product_id, values, errors, status)

        return await submit_form(db, page, await request.form(), BatchForm, save, show_again)

    @get("/batches/{batch_id:int}", name="traceability.batch")
    async def batch(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                    batch_id: FromPath[int]) -> Response:
        """One batch: its facts to correct, its labels, its trace page and how often it was scanned."""
        return await _batch_page(request, db, page, principal, batch_id, None, [])

    @post("/batches/{batch_id:int}", name="traceability.batch_change")
    async def change(self, request: AnyRequest, db: Db, page: Page, principal: Who,
                     batch_id: FromPath[int]) -> Response:
        """Correct the batch's facts."""

        async def save(data: BatchForm) -> str:
            await service.change_batch(db, principal, batch_id, data.change())
            return f"/merchant/batches/{batch_id}"

        async def show_again(values: dict[str, Any], errors: Errors, status: int) -> Response:
            return await _batch_page(request, db, page, principal, batch_id, values, errors, status)

        return await submit_form(db, page, await request.form(), BatchForm, save, show_again)

    @get("/batches/{batch_id:int}/labels.svg", name="traceability.labels_svg", media_type="image/svg+xml")
    async def labels_svg(self, request: AnyRequest, db: Db, principal: Who, batch_id: FromPath[int]) -> Response:
        """The label sheet as SVG."""
        return await label_response(request, db, principal, batch_id, "svg")

    @get("/batches/{batch_id:int}/labels.pdf", name="traceability.labels_pdf", media_type="application/pdf")
    async def labels_pdf(self, request: AnyRequest, db: Db, principal: Who, batch_id: FromPath[int]) -> Response:
        """The label sheet as PDF."""
        return await label_response(request, db, principal, batch_id, "pdf")


class TracePages(Controller):
    """The public page of a batch, where its labels' QR code leads."""

    path = "/trace"
    include_in_schema = False

    @get("/{trace_code:str}", name="traceability.trace")
    async def trace(self, db: Db, page: Page, trace_code: FromPath[str]) -> Response:
        """The product, its producer and commune, the batch's dates, OCOP stars and certificates, its scans."""
        trace = await service.get_trace(db, trace_code)
        return page.render("traceability/trace.html", {"trace": trace, "commune": commune_name(trace.commune_code)},
                           headers={"cache-control": "public, max-age=60"})


@get("/t/{trace_code:str}", name="traceability.short_link", include_in_schema=False)
async def short_link(request: AnyRequest, db: Db, trace_code: FromPath[str]) -> Redirect:
    """A label's QR target: count the scan (not a repeat from the same phone within a day) and send the reader
    to the trace page in their language."""
    if not TRACE_CODE.match(trace_code):
        raise service.trace_not_found()
    seen = f"seen_{trace_code}"
    if seen not in request.cookies and not await service.count_scan(db, trace_code):
        raise service.trace_not_found()
    prefix = request.scope["path"][: -len(f"/t/{trace_code}")]
    locale = negotiate_locale(None, request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language"),
                              default=DEFAULT_LOCALE)
    cookie = Cookie(key=seen, value="1", max_age=SEEN_SECONDS, path=f"{prefix}/t/{trace_code}", httponly=True,
                    samesite="lax")
    return Redirect(f"{prefix}/{locale}/trace/{trace_code}", status_code=HTTP_302_FOUND, cookies=[cookie],
                    headers={"vary": "Accept-Language, Cookie", "cache-control": "private, no-store"})


page_router = Router(path="/", route_handlers=[BatchPages, TracePages])
root_router = Router(path="/", route_handlers=[short_link])
