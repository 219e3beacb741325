"""The search document ids of the marketplace's listings, spelled once for every domain that enqueues them."""

__all__ = ["product_document_kind", "product_document_id", "merchant_document_id"]


def product_document_kind(kind: str) -> str:
    """The search kind of a product row: "experience" for experiences, "product" for goods."""
    return "experience" if kind == "experience" else "product"


def product_document_id(kind: str | None, product_id: int) -> str:
    """The search document id of a product ("product:12") or an experience ("experience:12")."""
    return f"{product_document_kind(kind or 'goods')}:{product_id}"


def merchant_document_id(merchant_id: int) -> str:
    """The search document id of a shop ("merchant:3")."""
    return f"merchant:{merchant_id}"
