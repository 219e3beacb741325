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
    "ProductForm",
    "VariantForm",
    "VariantUpdateForm",
    "ProductTextForm",
    "ProductStatusForm",
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
Stock = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


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
    stock: Stock = 0
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
    stock: Stock | msgspec.UnsetType = msgspec.UNSET
    label: LocalizedText | msgspec.UnsetType = msgspec.UNSET


class VariantForm(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard's form for a new option or dated slot (`variant_label_vi`, `price`, ...)."""

    variant_label: LocalizedText = msgspec.field(default_factory=dict)
    price: Price
    stock: Stock = 0
    starts_at: datetime | None = None

    def variant(self) -> VariantIn:
        """The service's Struct."""
        return VariantIn(label=self.variant_label, price=self.price, stock=self.stock, starts_at=self.starts_at)


class ProductForm(VariantForm, frozen=True, kw_only=True):
    """The dashboard's form for a new product or experience with its first option."""

    name: LocalizedText = msgspec.field(default_factory=dict)
    description: LocalizedText = msgspec.field(default_factory=dict)
    category_slug: Annotated[str, msgspec.Meta(max_length=60)] = ""
    unit: Unit = "piece"
    publish: bool = False

    def product(self) -> ProductCreate:
        """The service's Struct."""
        return ProductCreate(name=self.name, description=self.description, category_slug=self.category_slug,
                             unit=self.unit, variants=[self.variant()], publish=self.publish)


class VariantUpdateForm(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard's price and stock of one option."""

    price: Price
    stock: Stock

    def update(self) -> VariantUpdate:
        """The service's Struct."""
        return VariantUpdate(price=self.price, stock=self.stock)


class ProductTextForm(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard's names and descriptions, in the languages the form shows."""

    name: LocalizedText = msgspec.field(default_factory=dict)
    description: LocalizedText = msgspec.field(default_factory=dict)

    def update(self, product: Product, shown: tuple[str, ...]) -> ProductUpdate:
        """Texts in the `shown` languages replaced, the other languages' kept as they are."""
        return ProductUpdate(name=_keep_hidden(product.name, shown) | self.name,
                             description=_keep_hidden(product.description, shown) | self.description)


class ProductStatusForm(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard's publish, unpublish and delete buttons."""

    action: Literal["publish", "unpublish", "delete"]


def _keep_hidden(text: dict[str, str], shown: tuple[str, ...]) -> dict[str, str]:
    return {locale: value for locale, value in text.items() if locale not in shown}
