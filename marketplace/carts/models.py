"""A cart's lines as checkout and the cart page read them, and what the API and the cart forms send."""

from datetime import datetime
from typing import Annotated

import msgspec

from i18n import LocalizedText

__all__ = ["CartLine", "CartItemIn", "QuantityIn", "CartLineForm"]


class CartLine(msgspec.Struct, frozen=True, kw_only=True):
    """One variant in the cart with the current catalog state next to what the buyer saw."""

    variant_id: int
    product_id: int
    product_slug: str
    product_name: LocalizedText
    product_kind: str
    variant_label: LocalizedText
    sku: str
    unit: str
    quantity: int
    unit_price: int
    """The price now."""
    unit_price_seen: int
    """The price when the buyer added the line."""
    stock: int
    starts_at: datetime | None
    merchant_id: int
    merchant_name: LocalizedText
    merchant_slug: str
    offers_pickup: bool
    delivery_fee: int | None
    purchasable: bool
    """Published, not deleted, merchant approved, slot not started."""
    image_url: str | None = None

    @property
    def line_total(self) -> int:
        """Quantity times the current price."""
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        """True when the price moved since the buyer added the line."""
        return self.unit_price != self.unit_price_seen


class CartItemIn(msgspec.Struct, frozen=True):
    """Add a variant to the cart."""

    variant_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1


class QuantityIn(msgspec.Struct, frozen=True):
    """Set a line's quantity; 0 removes it."""

    quantity: Annotated[int, msgspec.Meta(ge=0, le=999)]


class CartLineForm(msgspec.Struct, frozen=True, kw_only=True):
    """The cart page's form for one line: a new quantity, or the remove button (0 removes too)."""

    variant_id: int
    quantity: Annotated[int, msgspec.Meta(ge=0, le=999)] | None = None
    remove: bool = False

    def __post_init__(self) -> None:
        # Worded as msgspec words it, so the form helper names the field and says it is required.
        if self.quantity is None and not self.remove:
            raise ValueError("Object missing required field `quantity`")

    @property
    def new_quantity(self) -> int:
        """The quantity to set; 0 removes the line."""
        return 0 if self.remove or self.quantity is None else self.quantity
