"""Products, their variants (sizes, weights or dated slots) and images; the forms that change them."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText

__all__ = [
    "Category",
    "Variant",
    "ProductImage",
    "Product",
    "ProductCard",
    "VariantIn",
    "ProductCreate",
    "ProductUpdate",
    "VariantUpdate",
    "ProductKind",
    "UNITS",
]

ProductKind = Literal["goods", "experience"]
UNITS: tuple[str, ...] = (
    "kg",
    "g",
    "piece",
    "bottle",
    "litre",
    "pack",
    "box",
    "serving",
    "person",
    "ticket",
    "set",
)
Unit = Literal["kg", "g", "piece", "bottle", "litre", "pack", "box", "serving", "person", "ticket", "set"]
Price = Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000, description="VND (no minor unit).")]


class Category(msgspec.Struct, frozen=True):
    """A node of the category tree."""

    slug: str
    parent_slug: str | None
    name: LocalizedText
    is_experience: bool
    position: int


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    """A purchasable option; for experiences, a dated time slot whose stock is the seats left."""

    id: int
    label: LocalizedText
    sku: str
    price: int
    stock: int
    capacity: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ProductImage(msgspec.Struct, frozen=True):
    """An uploaded image, re-encoded to WebP in several sizes."""

    id: int
    urls: dict[str, str]
    width: int
    height: int


class Product(msgspec.Struct, frozen=True, kw_only=True):
    """A product or an experience with its variants and images."""

    id: int
    merchant_id: int
    merchant_slug: str
    merchant_name: LocalizedText
    merchant_ocop_stars: int | None = None
    slug: str
    kind: str
    category_slug: str
    name: LocalizedText
    description: LocalizedText
    unit: str
    status: str
    rating_avg: float | None
    rating_count: int
    created_at: datetime
    updated_at: datetime
    variants: list[Variant] = msgspec.field(default_factory=list)
    images: list[ProductImage] = msgspec.field(default_factory=list)

    @property
    def price_min(self) -> int | None:
        """The lowest variant price."""
        return min((v.price for v in self.variants), default=None)

    @property
    def in_stock(self) -> bool:
        """True when any variant has stock."""
        return any(v.stock > 0 for v in self.variants)


class ProductCard(msgspec.Struct, frozen=True, kw_only=True):
    """A product in a list."""

    id: int
    slug: str
    kind: str
    name: LocalizedText
    category_slug: str
    merchant_id: int
    merchant_slug: str
    merchant_name: LocalizedText
    unit: str
    status: str
    price_min: int | None
    stock: int
    rating_avg: float | None
    rating_count: int
    image_url: str | None


class VariantIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new variant; slots of experiences give `starts_at` and a `capacity` (seats)."""

    label: LocalizedText = msgspec.field(default_factory=dict)
    sku: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{1,40}$")] | None = None
    price: Price
    stock: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ProductCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new product or experience; it starts as a draft."""

    name: LocalizedText
    description: LocalizedText = msgspec.field(default_factory=dict)
    category_slug: Annotated[str, msgspec.Meta(max_length=60)]
    unit: Unit = "piece"
    variants: Annotated[list[VariantIn], msgspec.Meta(min_length=1, max_length=50)]
    publish: bool = False


class ProductUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A partial update: fields left UNSET keep their value."""

    name: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    description: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    category_slug: str | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET


class VariantUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Change a variant's price, stock or label."""

    price: Price | msgspec.UnsetType = msgspec.UNSET
    stock: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | msgspec.UnsetType = msgspec.UNSET
    label: LocalizedText | msgspec.UnsetType = msgspec.UNSET
