"""SQL of batches, their public trace and their label scans; nothing else lives here."""

from datetime import date

import asyncpg
import msgspec

from marketplace.traceability.models import Batch, BatchChange, Trace

__all__ = [
    "insert_batch",
    "update_batch",
    "get_batch",
    "list_product_batches",
    "get_trace",
    "record_scan",
]

INSERT_BATCH = """
INSERT INTO product_batches (product_id, merchant_id, trace_code, batch_code, date_kind, produced_on, quantity,
                             unit, certificates, inputs_note)
SELECT p.id, p.merchant_id, $2, $3, $4, $5, $6, p.unit, $7, $8 FROM products p WHERE p.id = $1
RETURNING id
"""
UPDATE_BATCH = """
UPDATE product_batches SET batch_code = $2, date_kind = $3, produced_on = $4, quantity = $5, certificates = $6,
    inputs_note = $7, updated_at = now()
WHERE id = $1
"""
GET_BATCH = """
SELECT b.id, b.product_id, b.merchant_id, b.trace_code, b.batch_code, b.date_kind, b.produced_on,
    b.quantity, b.unit, b.certificates, b.inputs_note, b.created_at, b.updated_at,
    coalesce((SELECT sum(s.scans) FROM batch_scans s WHERE s.batch_id = b.id), 0)::integer AS scans
FROM product_batches b WHERE b.id = $1
"""
LIST_PRODUCT_BATCHES = """
SELECT b.id, b.product_id, b.merchant_id, b.trace_code, b.batch_code, b.date_kind, b.produced_on,
    b.quantity, b.unit, b.certificates, b.inputs_note, b.created_at, b.updated_at,
    coalesce((SELECT sum(s.scans) FROM batch_scans s WHERE s.batch_id = b.id), 0)::integer AS scans
FROM product_batches b WHERE b.product_id = $1 ORDER BY b.produced_on DESC, b.id DESC
"""
# Only batches of approved merchants are public; a product taken off sale still has a page for its batches.
GET_TRACE = """
SELECT b.trace_code, b.batch_code, b.date_kind, b.produced_on, b.quantity, b.unit, b.certificates, b.inputs_note,
       p.name AS product_name, p.slug AS product_slug,
       (p.status = 'published' AND p.deleted_at IS NULL) AS product_published,
       m.name AS merchant_name, m.slug AS merchant_slug, m.commune_code, m.ocop_stars, m.ocop_certificate_no,
       m.ocop_year, m.ocop_expires_on, b.created_at AS recorded_at,
       coalesce((SELECT sum(s.scans) FROM batch_scans s WHERE s.batch_id = b.id), 0)::integer AS scans
FROM product_batches b JOIN products p ON p.id = b.product_id JOIN merchants m ON m.id = b.merchant_id
WHERE b.trace_code = $1 AND m.status = 'approved'
"""
# One more scan today (in the province's time zone); nothing for an unknown code.
RECORD_SCAN = """
INSERT INTO batch_scans AS s (batch_id, day, scans)
SELECT b.id, $2, 1 FROM product_batches b JOIN merchants m ON m.id = b.merchant_id
WHERE b.trace_code = $1 AND m.status = 'approved'
ON CONFLICT (batch_id, day) DO UPDATE SET scans = s.scans + 1
RETURNING s.batch_id
"""


def _changes(data: BatchChange) -> tuple[object, ...]:
    return (data.batch_code, data.date_kind, data.produced_on, data.quantity, data.certificates, data.inputs_note)


async def insert_batch(conn: asyncpg.Connection, product_id: int, trace_code: str, data: BatchChange) -> int:
    """Insert a batch of the product (its merchant and unit taken from the product); returns its id."""
    return await conn.fetchval(INSERT_BATCH, product_id, trace_code, *_changes(data))


async def update_batch(conn: asyncpg.Connection, batch_id: int, data: BatchChange) -> None:
    """Replace the batch's facts (its product, merchant and trace code never change)."""
    await conn.execute(UPDATE_BATCH, batch_id, *_changes(data))


async def get_batch(conn: asyncpg.Connection, batch_id: int) -> Batch | None:
    """One batch with its scan count."""
    row = await conn.fetchrow(GET_BATCH, batch_id)
    return msgspec.convert(dict(row), Batch) if row is not None else None


async def list_product_batches(conn: asyncpg.Connection, product_id: int) -> list[Batch]:
    """A product's batches, the latest produced first."""
    return [msgspec.convert(dict(row), Batch) for row in await conn.fetch(LIST_PRODUCT_BATCHES, product_id)]


async def get_trace(conn: asyncpg.Connection, trace_code: str) -> Trace | None:
    """The public facts of the batch with this trace code (None when unknown or its merchant is not approved)."""
    row = await conn.fetchrow(GET_TRACE, trace_code)
    return msgspec.convert(dict(row), Trace) if row is not None else None


async def record_scan(conn: asyncpg.Connection, trace_code: str, day: date) -> bool:
    """Count one scan of the batch's label on `day`; False for an unknown code."""
    return await conn.fetchval(RECORD_SCAN, trace_code, day) is not None
