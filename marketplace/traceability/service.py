"""Batch rules: only OCOP goods have batches, only those who manage the merchant record them, dates are past.

Who may act for a merchant is `platform.access.merchant_access` (the owner, an assisting agent, an admin); anyone
else is told the product or batch does not exist (404), as everywhere else, so ids do not leak.
"""

import re
import secrets
from datetime import date, datetime

import asyncpg

from i18n import TIME_ZONE
from marketplace.catalog import service as catalog
from marketplace.catalog.models import Product
from marketplace.platform.access import Actor, merchant_access
from marketplace.platform.errors import NotFound, Unprocessable
from marketplace.traceability import repository
from marketplace.traceability.models import TRACE_CODE_PATTERN, Batch, BatchChange, Trace

__all__ = [
    "TRACE_ALPHABET",
    "new_trace_code",
    "record_batch",
    "change_batch",
    "get_batch_for",
    "list_product_batches",
    "get_trace",
    "trace_not_found",
    "count_scan",
]

# Lower-case letters and digits without l, o, 0, 1 (read one for another): 32 symbols; 10 of them make 50
# bits, not guessable.
TRACE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
TRACE_CODE_LENGTH = 10
EARLIEST_DATE = date(2000, 1, 1)
TRACE_CODE = re.compile(TRACE_CODE_PATTERN)


def new_trace_code() -> str:
    """A random public code for a batch's labels."""
    return "".join(secrets.choice(TRACE_ALPHABET) for _ in range(TRACE_CODE_LENGTH))


def _today() -> date:
    return datetime.now(TIME_ZONE).date()


def _check(product: Product, data: BatchChange) -> None:
    if product.kind != "goods" or product.merchant_ocop_stars is None:
        raise Unprocessable("Batches are recorded for OCOP-certified goods only.", code="not_ocop_product",
                            details={"product_id": product.id})
    if not EARLIEST_DATE <= data.produced_on <= _today():
        raise Unprocessable("The production or harvest date cannot be in the future.", code="bad_batch_date",
                            details={"produced_on": data.produced_on.isoformat()})


async def record_batch(conn: asyncpg.Connection, actor: Actor | None, product_id: int, data: BatchChange) -> Batch:
    """Record a batch of one of the actor's merchant's OCOP products, with a fresh trace code."""
    product = await catalog.get_product_for(conn, actor, product_id)
    _check(product, data)
    try:
        async with conn.transaction():
            batch_id = await repository.insert_batch(conn, product.id, new_trace_code(), data)
    except asyncpg.UniqueViolationError as error:
        raise _taken(error, data) from None
    return await _get(conn, batch_id)


def _taken(error: asyncpg.UniqueViolationError, data: BatchChange) -> Exception:
    # A repeated trace code (one chance in 10^15 per batch) is not the merchant's doing: let it surface.
    if "batch_code" not in (error.constraint_name or ""):
        return error
    return Unprocessable("This merchant already has a batch with this code.", code="batch_code_taken",
                         details={"batch_code": data.batch_code})


async def _batch_access(conn: asyncpg.Connection, actor: Actor | None, batch_id: int) -> Batch:
    batch = await repository.get_batch(conn, batch_id)
    if batch is None:
        raise NotFound("No such batch.", code="batch_not_found")
    try:
        await merchant_access(conn, actor, batch.merchant_id)
    except NotFound:
        raise NotFound("No such batch.", code="batch_not_found") from None
    return batch


async def change_batch(conn: asyncpg.Connection, actor: Actor | None, batch_id: int, data: BatchChange) -> Batch:
    """Correct a batch's facts (its product and trace code stay: labels are already printed)."""
    batch = await _batch_access(conn, actor, batch_id)
    _check(await catalog.get_product_for(conn, actor, batch.product_id), data)
    try:
        async with conn.transaction():
            await repository.update_batch(conn, batch_id, data)
    except asyncpg.UniqueViolationError as error:
        raise _taken(error, data) from None
    return await _get(conn, batch_id)


async def get_batch_for(conn: asyncpg.Connection, actor: Actor | None, batch_id: int) -> Batch:
    """A batch, for those who manage its merchant."""
    return await _batch_access(conn, actor, batch_id)


async def list_product_batches(conn: asyncpg.Connection, actor: Actor | None, product_id: int) -> list[Batch]:
    """The product's batches, for those who manage its merchant."""
    product = await catalog.get_product_for(conn, actor, product_id)
    return await repository.list_product_batches(conn, product.id)


async def _get(conn: asyncpg.Connection, batch_id: int) -> Batch:
    batch = await repository.get_batch(conn, batch_id)
    assert batch is not None  # written in this transaction
    return batch


def trace_not_found() -> NotFound:
    """The one answer for a code that leads nowhere (malformed, unknown, or its merchant not approved)."""
    return NotFound("No batch has this code.", code="trace_not_found")


async def get_trace(conn: asyncpg.Connection, trace_code: str) -> Trace:
    """The public trace of a batch (404 for an unknown code or a merchant not approved)."""
    trace = await repository.get_trace(conn, trace_code) if TRACE_CODE.match(trace_code) else None
    if trace is None:
        raise trace_not_found()
    return trace


async def count_scan(conn: asyncpg.Connection, trace_code: str) -> bool:
    """Count one scan of the batch's label today (province time); False for an unknown code."""
    return await repository.record_scan(conn, trace_code, _today())
