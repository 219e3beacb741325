"""SQL for categories, products, variants and product images."""

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from marketplace.catalog.models import Category, Product, ProductCard, ProductImage, Variant

__all__ = [
    "list_product_texts",
    "list_categories",
    "get_category",
    "insert_product",
    "insert_variant",
    "get_product",
    "get_product_id_by_slug",
    "update_product",
    "set_product_status",
    "soft_delete_product",
    "update_variant",
    "list_cards",
    "insert_image",
    "count_images",
    "get_variant_product",
]

SELECT_PRODUCT = """
SELECT p.id, p.merchant_id, m.slug AS merchant_slug, m.name AS merchant_name, m.ocop_stars AS merchant_ocop_stars,
       p.slug, p.kind, p.category_slug, p.name, p.description, p.unit, p.status,
       p.rating_avg::float8 AS rating_avg, p.rating_count, p.created_at, p.updated_at
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.id = $1 AND p.deleted_at IS NULL
"""
SELECT_VARIANTS = """
SELECT id, label, sku, price, stock, capacity, starts_at, ends_at FROM product_variants
WHERE product_id = $1 AND deleted_at IS NULL ORDER BY starts_at NULLS FIRST, position, id
"""
SELECT_IMAGES = "SELECT id, urls, width, height FROM product_images WHERE product_id = $1 ORDER BY position, id"
LIST_CATEGORIES = "SELECT slug, parent_slug, name, is_experience, position FROM categories ORDER BY position"
SELECT_CATEGORY = "SELECT slug, parent_slug, name, is_experience, position FROM categories WHERE slug = $1"
SELECT_PRODUCT_ID_BY_SLUG = "SELECT id FROM products WHERE slug = $1 AND deleted_at IS NULL"
UPDATE_PRODUCT_STATUS = "UPDATE products SET status = $2, updated_at = now() WHERE id = $1"
SOFT_DELETE_PRODUCT = """
UPDATE products SET deleted_at = now(), status = 'unpublished', updated_at = now() WHERE id = $1
"""
SELECT_VARIANT_PRODUCT = """
SELECT v.id, v.product_id, p.merchant_id, p.kind FROM product_variants v
JOIN products p ON p.id = v.product_id
WHERE v.id = $1 AND v.deleted_at IS NULL AND p.deleted_at IS NULL
"""
# Each field of a variant has its own fixed statement: no SQL is assembled from input.
UPDATE_VARIANT_FIELD = {
    "price": "UPDATE product_variants SET price = $2 WHERE id = $1",
    "stock": "UPDATE product_variants SET stock = $2 WHERE id = $1",
    "label": "UPDATE product_variants SET label = $2 WHERE id = $1",
}
INSERT_IMAGE = """
INSERT INTO product_images (product_id, storage_key, urls, width, height, position)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
"""
COUNT_IMAGES = "SELECT count(*) FROM product_images WHERE product_id = $1"
INSERT_PRODUCT = """
INSERT INTO products (merchant_id, slug, kind, category_slug, name, description, unit, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
"""
INSERT_VARIANT = """
INSERT INTO product_variants (product_id, label, sku, price, stock, capacity, starts_at, ends_at, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
"""
UPDATE_PRODUCT = """
UPDATE products SET name = $2, description = $3, category_slug = $4, unit = $5, updated_at = now()
WHERE id = $1
"""
# Every product's visitor-facing text, for the missing-translation lists (one merchant's, or all when NULL).
LIST_PRODUCT_TEXTS = """
SELECT p.id, p.merchant_id, m.name AS merchant_name, p.name, p.description, p.status
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.deleted_at IS NULL AND ($1::bigint IS NULL OR p.merchant_id = $1)
ORDER BY p.merchant_id, p.id
LIMIT $2
"""
# Cards: public lists filter on published products of approved merchants; a merchant's own list does not.
LIST_CARDS = """
SELECT p.id, p.slug, p.kind, p.name, p.category_slug, p.merchant_id, m.slug AS merchant_slug,
       m.name AS merchant_name, p.unit, p.status,
       (SELECT min(v.price) FROM product_variants v
        WHERE v.product_id = p.id AND v.deleted_at IS NULL) AS price_min,
       coalesce((SELECT sum(v.stock) FROM product_variants v
                 WHERE v.product_id = p.id AND v.deleted_at IS NULL
                   AND (v.starts_at IS NULL OR v.starts_at > now())), 0)::int AS stock,
       p.rating_avg::float8 AS rating_avg, p.rating_count,
       (SELECT i.urls ->> 'thumb' FROM product_images i WHERE i.product_id = p.id
        ORDER BY i.position, i.id LIMIT 1) AS image_url
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.deleted_at IS NULL
  AND ($1::boolean = false OR (p.status = 'published' AND m.status = 'approved'))
  AND ($2::bigint IS NULL OR p.merchant_id = $2)
  AND ($3::text[] IS NULL OR p.category_slug = ANY ($3))
  AND ($4::bigint IS NULL OR p.id < $4)
  AND ($5::text IS NULL OR p.kind = $5)
ORDER BY p.id DESC LIMIT $6
"""


async def list_categories(conn: asyncpg.Connection) -> list[Category]:
    """The whole category tree, in display order."""
    rows = await conn.fetch(LIST_CATEGORIES)
    return [msgspec.convert(dict(row), Category) for row in rows]


async def get_category(conn: asyncpg.Connection, slug: str) -> Category | None:
    """One category, or None."""
    row = await conn.fetchrow(SELECT_CATEGORY, slug)
    return msgspec.convert(dict(row), Category) if row else None


async def insert_product(
    conn: asyncpg.Connection,
    *,
    merchant_id: int,
    slug: str,
    kind: str,
    category_slug: str,
    name: dict[str, str],
    description: dict[str, str],
    unit: str,
    status: str,
) -> int:
    """A new product; returns its id."""
    return await conn.fetchval(INSERT_PRODUCT, merchant_id, slug, kind, category_slug, name, description, unit, status)


async def insert_variant(
    conn: asyncpg.Connection,
    product_id: int,
    *,
    label: dict[str, str],
    sku: str,
    price: int,
    stock: int,
    capacity: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    position: int,
) -> int:
    """A new variant; returns its id."""
    return await conn.fetchval(
        INSERT_VARIANT, product_id, label, sku, price, stock, capacity, starts_at, ends_at, position
    )


async def get_product(conn: asyncpg.Connection, product_id: int) -> Product | None:
    """A product (not deleted) with variants and images, or None."""
    row = await conn.fetchrow(SELECT_PRODUCT, product_id)
    if row is None:
        return None
    variants = [msgspec.convert(dict(r), Variant) for r in await conn.fetch(SELECT_VARIANTS, product_id)]
    images = [msgspec.convert(dict(r), ProductImage) for r in await conn.fetch(SELECT_IMAGES, product_id)]
    return msgspec.convert({**dict(row), "variants": variants, "images": images}, Product)


async def get_product_id_by_slug(conn: asyncpg.Connection, slug: str) -> int | None:
    """The id of a product that is not deleted."""
    return await conn.fetchval(SELECT_PRODUCT_ID_BY_SLUG, slug)


async def update_product(
    conn: asyncpg.Connection,
    product_id: int,
    *,
    name: dict[str, str],
    description: dict[str, str],
    category_slug: str,
    unit: str,
) -> None:
    """Replace names, description, category and unit."""
    await conn.execute(UPDATE_PRODUCT, product_id, name, description, category_slug, unit)


async def set_product_status(conn: asyncpg.Connection, product_id: int, status: str) -> None:
    """Set draft, published or unpublished."""
    await conn.execute(UPDATE_PRODUCT_STATUS, product_id, status)


async def soft_delete_product(conn: asyncpg.Connection, product_id: int) -> None:
    """Mark the product deleted (and unpublished)."""
    await conn.execute(SOFT_DELETE_PRODUCT, product_id)


async def get_variant_product(conn: asyncpg.Connection, variant_id: int) -> asyncpg.Record | None:
    """A live variant with its product and merchant ids, or None."""
    return await conn.fetchrow(SELECT_VARIANT_PRODUCT, variant_id)


async def update_variant(conn: asyncpg.Connection, variant_id: int, values: dict[str, Any]) -> None:
    """Apply price, stock and label changes present in `values`."""
    for field, statement in UPDATE_VARIANT_FIELD.items():
        if field in values:
            await conn.execute(statement, variant_id, values[field])


async def list_cards(
    conn: asyncpg.Connection,
    *,
    public: bool,
    merchant_id: int | None = None,
    categories: list[str] | None = None,
    before_id: int | None = None,
    kind: str | None = None,
    limit: int = 24,
) -> list[ProductCard]:
    """Product cards, newest first, public or for the merchant's dashboard."""
    rows = await conn.fetch(LIST_CARDS, public, merchant_id, categories, before_id, kind, limit)
    return [msgspec.convert(dict(row), ProductCard) for row in rows]


async def insert_image(
    conn: asyncpg.Connection,
    product_id: int,
    *,
    storage_key: str,
    urls: dict[str, str],
    width: int,
    height: int,
    position: int,
) -> int:
    """Record a stored image; returns its id."""
    return await conn.fetchval(INSERT_IMAGE, product_id, storage_key, urls, width, height, position)


async def count_images(conn: asyncpg.Connection, product_id: int) -> int:
    """How many images a product has."""
    return await conn.fetchval(COUNT_IMAGES, product_id)


async def list_product_texts(
    conn: asyncpg.Connection, merchant_id: int | None, limit: int = 2000
) -> list[dict[str, Any]]:
    """Products' names and descriptions (drafts included), of one merchant or of all."""
    return [dict(row) for row in await conn.fetch(LIST_PRODUCT_TEXTS, merchant_id, limit)]
