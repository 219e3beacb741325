"""The JSON API of batches: merchants record and correct them and print their labels; anyone reads a trace."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from marketplace.catalog import service as catalog
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import runtime_of
from marketplace.traceability import labels, service
from marketplace.traceability.models import Batch, BatchChange, Trace
from marketplace.traceability.sheets import label_sheet

__all__ = ["BatchesApi", "TraceApi", "router", "label_response", "public_base"]

Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]
AnyRequest = Request[Any, Any, Any]
LABEL_MEDIA_TYPES = {"svg": "image/svg+xml", "pdf": "application/pdf"}


def public_base(request: AnyRequest) -> str:
    """The settings' base URL and the app's mount prefix: what a printed link must point to."""
    runtime = runtime_of(request.app.state)
    return runtime.settings.base_url.rstrip("/") + runtime.path_prefix


async def label_response(request: AnyRequest, db: asyncpg.Connection, principal: Principal | None, batch_id: int,
                         kind: str) -> Response[Any]:
    """The batch's label sheet; a 304 when the reader already has this very sheet (its ETag is its content)."""
    batch = await service.get_batch_for(db, principal, batch_id)
    product = await catalog.get_product_for(db, principal, batch.product_id)
    sheet = label_sheet(batch, product, public_base(request))
    etag = f'"{labels.label_version(sheet, kind)}"'
    headers = {"cache-control": "private, no-cache", "etag": etag,
               "content-disposition": f'inline; filename="labels-{batch.batch_code.replace("/", "-")}.{kind}"'}
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers)
    body: str | bytes = labels.label_sheet_svg(sheet) if kind == "svg" else await labels.render_label_pdf(sheet)
    return Response(body, media_type=LABEL_MEDIA_TYPES[kind], headers=headers)


class BatchesApi(Controller):
    """Batches of OCOP products, for those who manage the merchant (404 for anyone else)."""

    path = "/manage"
    tags = ["merchant"]
    opt = {"signed_in": True}

    @get("/products/{product_id:int}/batches")
    async def list_batches(self, db: Db, principal: Who, product_id: FromPath[int]) -> list[Batch]:
        """The product's batches, the latest produced first, each with its label scans."""
        return await service.list_product_batches(db, principal, product_id)

    @post("/products/{product_id:int}/batches", status_code=HTTP_201_CREATED)
    async def record(self, db: Db, principal: Who, product_id: FromPath[int],
                     data: JSONBody[BatchChange]) -> Batch:
        """Record a batch of an OCOP product (422 for another product, a future date or a repeated code)."""
        return await service.record_batch(db, principal, product_id, data)

    @get("/batches/{batch_id:int}")
    async def get_batch(self, db: Db, principal: Who, batch_id: FromPath[int]) -> Batch:
        """One batch."""
        return await service.get_batch_for(db, principal, batch_id)

    @put("/batches/{batch_id:int}")
    async def change(self, db: Db, principal: Who, batch_id: FromPath[int], data: JSONBody[BatchChange]) -> Batch:
        """Correct the batch's facts (its trace code, printed on its labels, stays)."""
        return await service.change_batch(db, principal, batch_id, data)

    @get("/batches/{batch_id:int}/labels.svg", media_type="image/svg+xml")
    async def labels_svg(self, request: AnyRequest, db: Db, principal: Who, batch_id: FromPath[int]) -> Response[Any]:
        """An A4 sheet of 21 QR labels (SVG) leading to the batch's trace page."""
        return await label_response(request, db, principal, batch_id, "svg")

    @get("/batches/{batch_id:int}/labels.pdf", media_type="application/pdf")
    async def labels_pdf(self, request: AnyRequest, db: Db, principal: Who, batch_id: FromPath[int]) -> Response[Any]:
        """The same sheet as a PDF (rendered off the event loop)."""
        return await label_response(request, db, principal, batch_id, "pdf")


class TraceApi(Controller):
    """The public trace of a batch, as its label's page shows it."""

    path = "/trace"
    tags = ["traceability"]

    @get("/{trace_code:str}")
    async def trace(self, db: Db, trace_code: FromPath[str]) -> Trace:
        """The batch with this code: product, producer, commune, dates, OCOP certificate, label scans."""
        return await service.get_trace(db, trace_code)


router = Router(path="/", route_handlers=[BatchesApi, TraceApi])
