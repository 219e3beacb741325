"""Catalog rules: who may change a listing, what is public, and telling search about every change."""

from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from i18n.text import InvisibleCharacters, clean_display_names, clean_localized, translation_gaps
from marketplace.catalog import repository as repo
from marketplace.catalog.models import (
    Category,
    Product,
    ProductCard,
    ProductCreate,
    ProductUpdate,
    VariantIn,
    VariantUpdate,
)
from marketplace.media import ImagePipeline, StoredImage, require_file
from marketplace.media.quota import enforce_upload_quota
from marketplace.merchants import repository as merchants
from marketplace.platform.access import Actor, MerchantAccess, merchant_access
from marketplace.platform.audit import record_if_agent
from marketplace.platform.errors import Forbidden, NotFound, Unprocessable
from marketplace.platform.listings import product_document_id
from marketplace.platform.slugs import insert_with_slug
from search.changes import record_event
from search.outbox import enqueue

__all__ = [
    "create_product",
    "update_product",
    "publish_product",
    "unpublish_product",
    "delete_product",
    "add_variant",
    "update_variant",
    "attach_image",
    "store_product_image",
    "get_public_product",
    "get_product_for",
    "get_variant_product_for",
    "list_public_products",
    "list_merchant_products",
    "translation_gaps_for",
    "category_tree",
    "category_with_children",
    "MAX_IMAGES_PER_PRODUCT",
]

MAX_IMAGES_PER_PRODUCT = 12


def _text(value: dict[str, str], field: str, *, required: bool, max_length: int) -> dict[str, str]:
    try:
        cleaned = clean_localized(value, max_length=max_length)
        if field == "name":
            cleaned = clean_display_names(cleaned)
    except InvisibleCharacters as error:
        raise Unprocessable(str(error), code="invalid_characters", details={"field": field}) from None
    except ValueError as error:
        raise Unprocessable(str(error), code="text_too_long", details={"field": field}) from None
    if required and not cleaned:
        raise Unprocessable(
            f"{field} is required in at least one language.", code="text_required", details={"field": field}
        )
    return cleaned


async def _category(conn: asyncpg.Connection, slug: str) -> Category:
    category = await repo.get_category(conn, slug)
    if category is None:
        raise Unprocessable("Unknown category.", code="unknown_category", details={"category_slug": slug})
    return category


async def _product_access(
    conn: asyncpg.Connection, actor: Actor | None, product_id: int
) -> tuple[Product, MerchantAccess]:
    product = await repo.get_product(conn, product_id)
    if product is None:
        raise NotFound("No such product.", code="product_not_found")
    try:
        access = await merchant_access(conn, actor, product.merchant_id)
    except NotFound:
        raise NotFound("No such product.", code="product_not_found") from None
    return product, access


def _check_variant(variant: VariantIn, is_experience: bool) -> None:
    if is_experience and variant.starts_at is None:
        raise Unprocessable("Each slot of an experience needs a start time.", code="slot_without_time")
    if variant.starts_at is not None and variant.starts_at.tzinfo is None:
        raise Unprocessable("Slot times need a time zone.", code="naive_datetime")
    if variant.ends_at is not None and variant.starts_at is not None and variant.ends_at <= variant.starts_at:
        raise Unprocessable("A slot must end after it starts.", code="slot_ends_before_start")


async def _insert_variant(
    conn: asyncpg.Connection,
    product_id: int,
    slug: str,
    variant: VariantIn,
    position: int,
    is_experience: bool,
) -> int:
    _check_variant(variant, is_experience)
    sku = variant.sku or f"{slug[:30]}-{position + 1}".upper()
    try:
        async with conn.transaction():
            return await repo.insert_variant(
                conn,
                product_id,
                label=_text(variant.label, "label", required=False, max_length=100),
                sku=sku,
                price=variant.price,
                stock=variant.stock,
                capacity=variant.stock if is_experience else None,
                starts_at=variant.starts_at,
                ends_at=variant.ends_at,
                position=position,
            )
    except asyncpg.UniqueViolationError:
        raise Unprocessable(
            "Two variants of a product cannot share a SKU.", code="duplicate_sku", details={"sku": sku}
        ) from None


def _event_kind(product: Product) -> str:
    return "experience" if product.kind == "experience" else "product"


async def _changed(conn: asyncpg.Connection, product_id: int, action: str) -> Product:
    """The product as it is now, after recording the change for webhooks and the changes feed.

    Only changes a merchant (or their agent) makes are events: stock moved by orders is not a listing change.
    """
    product = await _get(conn, product_id)
    await record_event(conn, f"{_event_kind(product)}.{action}",
                       {"id": product.id, "slug": product.slug, "merchant_id": product.merchant_id,
                        "status": product.status})
    return product


async def create_product(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int, data: ProductCreate
) -> Product:
    """A new product (or experience, by its category) with its variants; a draft unless `publish`."""
    access = await merchant_access(conn, actor, merchant_id)
    name = _text(data.name, "name", required=True, max_length=200)
    description = _text(data.description, "description", required=False, max_length=10_000)
    category = await _category(conn, data.category_slug)
    kind = "experience" if category.is_experience else "goods"
    base = name.get("vi") or next(iter(name.values()))

    async def insert(slug: str) -> int:
        return await repo.insert_product(
            conn,
            merchant_id=merchant_id,
            slug=slug,
            kind=kind,
            category_slug=category.slug,
            name=name,
            description=description,
            unit=data.unit,
            status="published" if data.publish else "draft",
        )

    product_id, slug = await insert_with_slug(conn, "products", base, "product", insert)
    for position, variant in enumerate(data.variants):
        await _insert_variant(conn, product_id, slug, variant, position, kind == "experience")
    await record_if_agent(conn, access, "product.create", {"product_id": product_id, "slug": slug})
    await enqueue(conn, [product_document_id(kind, product_id)])
    return await _changed(conn, product_id, "created")


async def update_product(
    conn: asyncpg.Connection, actor: Actor | None, product_id: int, data: ProductUpdate
) -> Product:
    """Change names, description, category or unit; what is UNSET stays."""
    product, access = await _product_access(conn, actor, product_id)
    name = product.name if data.name is msgspec.UNSET else _text(data.name, "name", required=True, max_length=200)
    description = (
        product.description
        if data.description is msgspec.UNSET
        else _text(data.description, "description", required=False, max_length=10_000)
    )
    category_slug = product.category_slug
    if data.category_slug is not msgspec.UNSET:
        category = await _category(conn, data.category_slug)
        if category.is_experience != (product.kind == "experience"):
            raise Unprocessable("A product cannot move between goods and experiences.", code="kind_change")
        category_slug = category.slug
    unit = product.unit if data.unit is msgspec.UNSET else data.unit
    await repo.update_product(
        conn, product_id, name=name, description=description, category_slug=category_slug, unit=unit
    )
    await record_if_agent(conn, access, "product.update", {"product_id": product_id})
    await enqueue(conn, [product_document_id(product.kind, product_id)])
    return await _changed(conn, product_id, "updated")


async def _variant_access(
    conn: asyncpg.Connection, actor: Actor | None, variant_id: int
) -> tuple[Product, MerchantAccess]:
    row = await repo.get_variant_product(conn, variant_id)
    if row is None:
        raise NotFound("No such variant.", code="variant_not_found")
    return await _product_access(conn, actor, row["product_id"])


async def get_variant_product_for(conn: asyncpg.Connection, actor: Actor | None, variant_id: int) -> Product:
    """The product of a variant, drafts included, for those who manage its merchant."""
    product, _ = await _variant_access(conn, actor, variant_id)
    return product


async def _set_status(conn: asyncpg.Connection, actor: Actor | None, product_id: int, status: str) -> Product:
    product, access = await _product_access(conn, actor, product_id)
    if status == "published" and not product.variants:
        raise Unprocessable("Add at least one variant with a price before publishing.", code="no_variants")
    await repo.set_product_status(conn, product_id, status)
    await record_if_agent(conn, access, f"product.{status.removesuffix('ed')}", {"product_id": product_id})
    await enqueue(conn, [product_document_id(product.kind, product_id)])
    return await _changed(conn, product_id, "updated")


async def publish_product(conn: asyncpg.Connection, actor: Actor | None, product_id: int) -> Product:
    """Make a product visible (once its merchant is approved)."""
    return await _set_status(conn, actor, product_id, "published")


async def unpublish_product(conn: asyncpg.Connection, actor: Actor | None, product_id: int) -> Product:
    """Hide a product without deleting it."""
    return await _set_status(conn, actor, product_id, "unpublished")


async def delete_product(conn: asyncpg.Connection, actor: Actor | None, product_id: int) -> None:
    """Soft delete: past orders keep pointing at the row; nobody sees it any more."""
    product, access = await _product_access(conn, actor, product_id)
    await repo.soft_delete_product(conn, product_id)
    await record_if_agent(conn, access, "product.delete", {"product_id": product_id})
    await enqueue(conn, [product_document_id(product.kind, product_id)])
    await record_event(conn, f"{_event_kind(product)}.deleted",
                       {"id": product.id, "slug": product.slug, "merchant_id": product.merchant_id})


async def add_variant(conn: asyncpg.Connection, actor: Actor | None, product_id: int, data: VariantIn) -> Product:
    """Add a size, weight or time slot."""
    product, access = await _product_access(conn, actor, product_id)
    variant_id = await _insert_variant(
        conn, product_id, product.slug, data, len(product.variants), product.kind == "experience"
    )
    await record_if_agent(conn, access, "variant.create", {"product_id": product_id, "variant_id": variant_id})
    await enqueue(conn, [product_document_id(product.kind, product_id)])
    return await _changed(conn, product_id, "updated")


async def update_variant(
    conn: asyncpg.Connection, actor: Actor | None, variant_id: int, data: VariantUpdate
) -> Product:
    """Change a variant's price, stock or label."""
    product, access = await _variant_access(conn, actor, variant_id)
    values: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "label" in values:
        values["label"] = _text(values["label"], "label", required=False, max_length=100)
    await repo.update_variant(conn, variant_id, values)
    await record_if_agent(
        conn,
        access,
        "variant.update",
        {"variant_id": variant_id, **{k: v for k, v in values.items() if k != "label"}},
    )
    await enqueue(conn, [product_document_id(product.kind, product.id)])
    return await _changed(conn, product.id, "updated")


async def attach_image(
    conn: asyncpg.Connection,
    actor: Actor | None,
    product_id: int,
    *,
    storage_key: str,
    urls: dict[str, str],
    width: int,
    height: int,
) -> Product:
    """Record an image already stored by the media pipeline."""
    product, access = await _product_access(conn, actor, product_id)
    return await _attach(conn, product, access, StoredImage(key=storage_key, urls=urls, width=width, height=height))


async def store_product_image(
    conn: asyncpg.Connection, actor: Actor | None, product_id: int, images: ImagePipeline, upload: Any
) -> Product:
    """Check access first (no file is stored for strangers), then run the pipeline and attach the image."""
    file = require_file(upload)
    product, access = await _product_access(conn, actor, product_id)
    await enforce_upload_quota(conn, product.merchant_id, await merchants.get_status(conn, product.merchant_id))
    return await _attach(conn, product, access, await images.store_file(file))


async def _attach(conn: asyncpg.Connection, product: Product, access: MerchantAccess, image: StoredImage) -> Product:
    count = await repo.count_images(conn, product.id)
    if count >= MAX_IMAGES_PER_PRODUCT:
        raise Unprocessable(f"A product has at most {MAX_IMAGES_PER_PRODUCT} images.", code="too_many_images")
    await repo.insert_image(conn, product.id, storage_key=image.key, urls=image.urls, width=image.width,
                            height=image.height, position=count)
    await record_if_agent(conn, access, "product.image", {"product_id": product.id, "key": image.key})
    await enqueue(conn, [product_document_id(product.kind, product.id)])
    return await _changed(conn, product.id, "updated")


async def get_product_for(conn: asyncpg.Connection, actor: Actor | None, product_id: int) -> Product:
    """A product, drafts included, for those who manage its merchant."""
    product, _ = await _product_access(conn, actor, product_id)
    return product


async def get_public_product(conn: asyncpg.Connection, slug: str) -> Product:
    """A published product of an approved merchant, by slug."""
    product_id = await repo.get_product_id_by_slug(conn, slug)
    product = await repo.get_product(conn, product_id) if product_id is not None else None
    if product is None or product.status != "published":
        raise NotFound("No such product.", code="product_not_found")
    if await merchants.get_status(conn, product.merchant_id) != "approved":
        raise NotFound("No such product.", code="product_not_found")
    # Slots that have started can no longer be booked; buyers see only what they can still choose.
    now = datetime.now(UTC)
    upcoming = [v for v in product.variants if v.starts_at is None or v.starts_at > now]
    return msgspec.structs.replace(product, variants=upcoming)


async def list_public_products(
    conn: asyncpg.Connection,
    *,
    category: str | None = None,
    merchant_id: int | None = None,
    kind: str | None = None,
    before_id: int | None = None,
    limit: int = 24,
) -> list[ProductCard]:
    """Published products of approved merchants, newest first; a category includes its children."""
    categories = await category_with_children(conn, category) if category else None
    return await repo.list_cards(
        conn,
        public=True,
        merchant_id=merchant_id,
        categories=categories,
        before_id=before_id,
        kind=kind,
        limit=limit,
    )


async def list_merchant_products(
    conn: asyncpg.Connection,
    actor: Actor | None,
    merchant_id: int,
    *,
    before_id: int | None = None,
    limit: int = 100,
) -> list[ProductCard]:
    """Every product of a merchant, drafts included, for its dashboard."""
    await merchant_access(conn, actor, merchant_id)
    return await repo.list_cards(conn, public=False, merchant_id=merchant_id, before_id=before_id, limit=limit)


async def translation_gaps_for(
    conn: asyncpg.Connection, actor: Actor | None, merchant_id: int | None
) -> list[dict[str, Any]]:
    """What is not yet written in which language: one merchant's shop and products (for those who manage
    it), or every shop's and product's (admins only, with `merchant_id` None). Drafts included."""
    if merchant_id is None:
        if actor is None or not actor.has_role("admin"):
            raise Forbidden("Only admins see every shop's missing translations.")
        shops = await merchants.list_merchants(conn, limit=1000)
    else:
        await merchant_access(conn, actor, merchant_id)
        shop = await merchants.get_merchant(conn, merchant_id)
        shops = [shop] if shop is not None else []
    rows: list[dict[str, Any]] = []
    for shop in shops:
        gaps = translation_gaps({"name": shop.name, "story": shop.story}, ("name", "story"))
        if gaps:
            rows.append({"kind": "merchant", "name": shop.name, "merchant_name": shop.name, "gaps": gaps,
                         "path": f"/merchant/{shop.id}/languages"})
    for product in await repo.list_product_texts(conn, merchant_id):
        gaps = translation_gaps({"name": product["name"], "description": product["description"]},
                                ("name", "description"))
        if gaps:
            rows.append({"kind": "product", "name": product["name"], "merchant_name": product["merchant_name"],
                         "gaps": gaps, "path": f"/merchant/products/{product['id']}"})
    return rows


async def category_tree(conn: asyncpg.Connection) -> list[tuple[Category, list[Category]]]:
    """Top-level categories with their children."""
    categories = await repo.list_categories(conn)
    roots = [c for c in categories if c.parent_slug is None]
    return [(root, [c for c in categories if c.parent_slug == root.slug]) for root in roots]


async def category_with_children(conn: asyncpg.Connection, slug: str) -> list[str]:
    """A category's slug and its children's; 404 when unknown."""
    categories = await repo.list_categories(conn)
    if all(c.slug != slug for c in categories):
        raise NotFound("No such category.", code="category_not_found")
    return [slug, *(c.slug for c in categories if c.parent_slug == slug)]


async def _get(conn: asyncpg.Connection, product_id: int) -> Product:
    product = await repo.get_product(conn, product_id)
    if product is None:
        raise NotFound("No such product.", code="product_not_found")
    return product

