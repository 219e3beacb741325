"""JSON API of the catalog: public products, categories and shops; merchants manage their products."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter

from marketplace.catalog import service
from marketplace.catalog.models import (
    Category,
    Product,
    ProductCard,
    ProductCreate,
    ProductUpdate,
    VariantIn,
    VariantUpdate,
)
from marketplace.media import ImagePipeline
from marketplace.media.pipeline import MAX_UPLOAD_BYTES
from marketplace.merchants import service as merchants
from marketplace.merchants.models import Merchant
from marketplace.platform.principal import Principal
from marketplace.reviews import service as reviews
from marketplace.reviews.models import Review

__all__ = ["CatalogApi", "ManageProductsApi", "router"]

Cursor = Annotated[int | None, QueryParameter(ge=1, description="Pass the last id of the previous page.")]
Limit = Annotated[int, QueryParameter(ge=1, le=100)]
Db = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal | None]


class CatalogApi(Controller):
    """Public catalog: what anyone may read."""

    tags = ["catalog"]

    @get("/products", opt={"read_replica": True, "public_cache": True, "refusals": (404,)})
    async def list_products(
        self,
        db: Db,
        category: Annotated[str | None, QueryParameter(max_length=60)] = None,
        kind: Annotated[str | None, QueryParameter(pattern="^(goods|experience)$")] = None,
        before: Cursor = None,
        limit: Limit = 24,
    ) -> list[ProductCard]:
        """Published products of approved merchants, newest first (cursor: `before`)."""
        return await service.list_public_products(db, category=category, kind=kind, before_id=before, limit=limit)

    @get("/products/{slug:str}", opt={"read_replica": True, "public_cache": True})
    async def get_product(self, db: Db, slug: FromPath[str]) -> Product:
        """A published product with its variants, slots and images."""
        return await service.get_public_product(db, slug)

    @get("/products/{slug:str}/reviews")
    async def product_reviews(
        self, db: Db, slug: FromPath[str], before: Cursor = None, limit: Limit = 20
    ) -> list[Review]:
        """A product's reviews, newest first."""
        product = await service.get_public_product(db, slug)
        return await reviews.list_product_reviews(db, product.id, before_id=before, limit=limit)

    @get("/categories")
    async def list_categories(self, db: Db) -> list[Category]:
        """The category tree, flat with parent slugs."""
        return [node for root, children in await service.category_tree(db) for node in (root, *children)]

    @get("/shops/{slug:str}", opt={"read_replica": True})
    async def get_shop(self, db: Db, slug: FromPath[str]) -> Merchant:
        """An approved merchant's public profile."""
        return await merchants.get_public_merchant(db, slug)

    @get("/shops/{slug:str}/reviews")
    async def shop_reviews(
        self, db: Db, slug: FromPath[str], before: Cursor = None, limit: Limit = 20
    ) -> list[Review]:
        """Reviews of an approved merchant's products, newest first."""
        merchant = await merchants.get_public_merchant(db, slug)
        return await reviews.list_merchant_reviews(db, merchant.id, before_id=before, limit=limit)

    @get("/shops/{slug:str}/products", opt={"read_replica": True})
    async def shop_products(
        self, db: Db, slug: FromPath[str], before: Cursor = None, limit: Limit = 24
    ) -> list[ProductCard]:
        """An approved merchant's published products."""
        merchant = await merchants.get_public_merchant(db, slug)
        return await service.list_public_products(db, merchant_id=merchant.id, before_id=before, limit=limit)


class ManageProductsApi(Controller):
    """Products as their merchant (owner, assisting agent or admin) manages them."""

    path = "/manage"
    tags = ["merchant"]
    opt = {"signed_in": True}

    @get("/merchants/{merchant_id:int}/products")
    async def list_products(self, db: Db, merchant_id: FromPath[int], principal: Who, before: Cursor = None,
                            limit: Limit = 100) -> list[ProductCard]:
        """Every product of the merchant, drafts included."""
        return await service.list_merchant_products(db, principal, merchant_id, before_id=before, limit=limit)

    @post("/merchants/{merchant_id:int}/products")
    async def create_product(self, db: Db, merchant_id: FromPath[int], principal: Who,
                             data: JSONBody[ProductCreate]) -> Product:
        """Add a product or experience (a draft unless `publish`)."""
        return await service.create_product(db, principal, merchant_id, data)

    @get("/products/{product_id:int}")
    async def get_product(self, db: Db, product_id: FromPath[int], principal: Who) -> Product:
        """One product, drafts included."""
        return await service.get_product_for(db, principal, product_id)

    @patch("/products/{product_id:int}")
    async def update_product(self, db: Db, product_id: FromPath[int], principal: Who,
                             data: JSONBody[ProductUpdate]) -> Product:
        """Change names, description, category or unit."""
        return await service.update_product(db, principal, product_id, data)

    @post("/products/{product_id:int}/publish", status_code=200)
    async def publish(self, db: Db, product_id: FromPath[int], principal: Who) -> Product:
        """Make the product public."""
        return await service.publish_product(db, principal, product_id)

    @post("/products/{product_id:int}/unpublish", status_code=200)
    async def unpublish(self, db: Db, product_id: FromPath[int], principal: Who) -> Product:
        """Hide the product."""
        return await service.unpublish_product(db, principal, product_id)

    @delete("/products/{product_id:int}")
    async def delete_product(self, db: Db, product_id: FromPath[int], principal: Who) -> None:
        """Soft delete the product."""
        await service.delete_product(db, principal, product_id)

    @post("/products/{product_id:int}/variants")
    async def add_variant(self, db: Db, product_id: FromPath[int], principal: Who,
                          data: JSONBody[VariantIn]) -> Product:
        """Add a size, weight or dated slot."""
        return await service.add_variant(db, principal, product_id, data)

    @patch("/variants/{variant_id:int}")
    async def update_variant(self, db: Db, variant_id: FromPath[int], principal: Who,
                             data: JSONBody[VariantUpdate]) -> Product:
        """Change a variant's price, stock or label."""
        return await service.update_variant(db, principal, variant_id, data)

    @post("/products/{product_id:int}/images", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
          opt={"cpu_work": "image"})
    async def upload_image(self, db: Db, product_id: FromPath[int], principal: Who,
                           images: NamedDependency[ImagePipeline],
                           data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> Product:
        """Upload an image (multipart field `file`): checked, EXIF stripped, stored as WebP sizes."""
        return await service.store_product_image(db, principal, product_id, images, data.get("file"))


router = Router(path="/", route_handlers=[CatalogApi, ManageProductsApi])
