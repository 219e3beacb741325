"""HTML pages of the catalog: product lists, category pages, the product page and the shop page.

`router` also carries the merchant's dashboard (marketplace/catalog/dashboard.py), the catalog's pages for
the people who keep the listings.
"""

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from i18n import localize
from marketplace.catalog import service
from marketplace.catalog.dashboard import MerchantDashboardPages
from marketplace.catalog.languages import MerchantLanguagePages
from marketplace.catalog.models import Category, ProductCard
from marketplace.catalog.sizes import unit_price
from marketplace.merchants import photos as shop_photos
from marketplace.merchants import service as merchants
from marketplace.platform.divisions import commune_name
from marketplace.platform.templating import PageRenderer
from marketplace.reviews import service as reviews

__all__ = ["CatalogPages", "router", "product_json_ld", "shop_json_ld"]

# Private: pages carry a CSRF token and the signed-in name, which no shared cache may hand to someone else.
# no-cache: seats and stock change with every booking, so the browser revalidates each time (the page's ETag
# makes an unchanged page a bodyless 304) instead of showing a minute-old count.
PUBLIC_CACHE = {"cache-control": "private, no-cache"}
Cursor = Annotated[int | None, QueryParameter(ge=1)]
Db = NamedDependency[asyncpg.Connection]
Page = NamedDependency[PageRenderer]
PAGE_SIZE = 24


def _script_json(data: dict[str, Any], rated: Any) -> str:
    """schema.org data with the aggregate rating of what is rated, if any, for a <script> element."""
    if rated.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": rated.rating_avg,
            "reviewCount": rated.rating_count,
        }
    # "</" would end the script element early; \u003c keeps the JSON valid and inert.
    return msgspec.json.encode(data).decode().replace("<", "\\u003c")


def product_json_ld(product: Any, locale: str, url: str) -> str:
    """schema.org Product with offers in VND (escaped for a <script> element)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": localize(product.name, locale),
        "description": localize(product.description, locale),
        "url": url,
        "sku": [v.sku for v in product.variants],
        "brand": {"@type": "Organization", "name": localize(product.merchant_name, locale)},
        "offers": [
            {
                "@type": "Offer",
                "price": v.price,
                "priceCurrency": "VND",
                "availability": "https://schema.org/" + ("InStock" if v.stock > 0 else "OutOfStock"),
            }
            for v in product.variants
        ],
    }
    if product.images:
        data["image"] = [product.images[0].urls.get("large")]
    return _script_json(data, product)


def shop_json_ld(merchant: Any, locale: str, url: str, commune: str) -> str:
    """schema.org LocalBusiness for a shop page (escaped for a <script> element)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": localize(merchant.name, locale),
        "description": localize(merchant.story, locale),
        "url": url,
        "telephone": merchant.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": merchant.address,
            "addressLocality": commune,
            "addressCountry": "VN",
        },
    }
    if merchant.lat is not None and merchant.lng is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": merchant.lat, "longitude": merchant.lng}
    return _script_json(data, merchant)


async def _product_list(db: asyncpg.Connection, page: PageRenderer, cards: list[ProductCard],
                        category: str | None = None) -> Response:
    """A page of product cards with the category tree; a full page links to the next one."""
    tree = await service.category_tree(db)
    current: Category | None = None
    if category is not None:
        current = next(c for root, children in tree for c in (root, *children) if c.slug == category)
    next_before = cards[-1].id if len(cards) == PAGE_SIZE else None
    return page.render("marketplace/products.html",
                       {"cards": cards, "tree": tree, "category": current, "next_before": next_before},
                       headers=PUBLIC_CACHE)


class CatalogPages(Controller):
    """Products, categories, shops."""

    include_in_schema = False

    @get("/products", name="marketplace.products", opt={"read_replica": True})
    async def products(self, db: Db, page: Page, before: Cursor = None) -> Response:
        """Every published product, newest first."""
        return await _product_list(db, page, await service.list_public_products(db, before_id=before, limit=PAGE_SIZE))

    @get("/categories/{slug:str}", name="marketplace.category", opt={"read_replica": True})
    async def category(self, db: Db, page: Page, slug: FromPath[str], before: Cursor = None) -> Response:
        """A category page; a top-level category lists its children's products too."""
        cards = await service.list_public_products(db, category=slug, before_id=before, limit=PAGE_SIZE)
        return await _product_list(db, page, cards, slug)

    @get("/products/{slug:str}", name="marketplace.product", opt={"read_replica": True, "public_cache": True})
    async def product(self, db: Db, page: Page, locale: NamedDependency[str], slug: FromPath[str]) -> Response:
        """The product page: variants or slots with an add-to-cart form, images, reviews."""
        product = await service.get_public_product(db, slug)
        merchant = await merchants.get_public_merchant(db, product.merchant_slug)
        return page.render(
            "marketplace/product.html",
            {
                "product": product,
                "merchant": merchant,
                "commune": commune_name(merchant.commune_code),
                "reviews": await reviews.list_product_reviews(db, product.id, limit=20),
                "json_ld": product_json_ld(product, locale, str(page.request.url)),
                "unit_prices": {v.id: unit_price(v.price, v.label, product.unit) for v in product.variants},
            },
            headers=PUBLIC_CACHE,
        )

    @get("/shops/{slug:str}", name="marketplace.shop", opt={"read_replica": True, "public_cache": True})
    async def shop(self, db: Db, page: Page, slug: FromPath[str], before: Cursor = None) -> Response:
        """The shop page: the merchant's photos, story, OCOP badge, location and products."""
        merchant = await merchants.get_public_merchant(db, slug)
        commune = commune_name(merchant.commune_code)
        return page.render(
            "marketplace/shop.html",
            {
                "merchant": merchant,
                "photos": await shop_photos.list_shop_photos(db, merchant.id),
                "cards": await service.list_public_products(db, merchant_id=merchant.id, before_id=before, limit=48),
                "commune": commune,
                "json_ld": shop_json_ld(merchant, page.locale, str(page.request.url), commune),
                "reviews": await reviews.list_merchant_reviews(db, merchant.id, limit=10),
            },
            headers=PUBLIC_CACHE,
        )


router = Router(path="/", route_handlers=[CatalogPages, MerchantDashboardPages, MerchantLanguagePages])
