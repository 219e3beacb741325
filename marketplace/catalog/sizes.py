"""A variant's size, read from its label ("500 g", "1,5 kg", "750 ml"), and the price per unit it implies.

A product sold "per kg" with a 500 g option costs 20,000 ₫ for the option, i.e. 40,000 ₫ per kg: the option's
price must never be shown as the price of a whole unit.
"""

import re

__all__ = ["VariantSize", "variant_size", "unit_price"]

# Grams and millilitres per unit of measure a label may use.
_MEASURES: dict[str, tuple[str, float]] = {
    "g": ("mass", 1), "gr": ("mass", 1), "gram": ("mass", 1), "grams": ("mass", 1), "kg": ("mass", 1000),
    "ml": ("volume", 1), "l": ("volume", 1000), "lít": ("volume", 1000), "lit": ("volume", 1000),
    "litre": ("volume", 1000), "liter": ("volume", 1000),
}
# The product units a size can be converted to.
_UNITS: dict[str, tuple[str, float]] = {"kg": ("mass", 1000), "g": ("mass", 1), "litre": ("volume", 1000)}
_SIZE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(kg|gr|grams?|g|ml|lít|lit|litre|liter|l)(?!\w)", re.IGNORECASE)

VariantSize = tuple[str, float]
"""(dimension, amount in grams or millilitres)."""


def variant_size(label: dict[str, str] | None) -> VariantSize | None:
    """The size written in any locale of the label, or None when the label names no size."""
    for text in (label or {}).values():
        match = _SIZE.search(text or "")
        if match:
            dimension, factor = _MEASURES[match.group(2).lower()]
            return dimension, float(match.group(1).replace(",", ".")) * factor
    return None


def unit_price(price: int, label: dict[str, str] | None, unit: str) -> int | None:
    """The price of one `unit` (kg, g, litre) of a variant priced `price` for its labelled size.

    None when the label names no size or a size that `unit` cannot measure (a 500 g box sold per piece).
    """
    size = variant_size(label)
    if size is None or unit not in _UNITS:
        return None
    dimension, amount = size
    unit_dimension, unit_amount = _UNITS[unit]
    if dimension != unit_dimension or amount <= 0:
        return None
    return round(price * unit_amount / amount)
