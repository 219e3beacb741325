"""The order state machine: statuses and the transitions allowed between them (the only table of them)."""

from typing import Final, Literal

__all__ = [
    "OrderStatus",
    "ORDER_STATUSES",
    "ALLOWED_TRANSITIONS",
    "is_allowed",
    "RELEASES_STOCK",
    "MERCHANT_TRANSITIONS",
    "BUYER_TRANSITIONS",
    "FINAL_STATUSES",
]

OrderStatus = Literal["pending_payment", "confirmed", "shipped", "delivered", "completed", "cancelled", "refunded"]
ORDER_STATUSES: Final[tuple[str, ...]] = (
    "pending_payment",
    "confirmed",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "refunded",
)

ALLOWED_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    # Paid (or payment expired / abandoned by the buyer).
    "pending_payment": frozenset({"confirmed", "cancelled"}),
    # Handed to delivery (or made ready for pickup); may still be cancelled or refunded before that.
    "confirmed": frozenset({"shipped", "cancelled", "refunded"}),
    "shipped": frozenset({"delivered", "refunded"}),
    "delivered": frozenset({"completed", "refunded"}),
    "completed": frozenset({"refunded"}),
    "cancelled": frozenset(),
    "refunded": frozenset(),
}
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"cancelled", "refunded"})

# Goods that never left the merchant go back on the shelf; a refund after shipping does not restock.
RELEASES_STOCK: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("pending_payment", "cancelled"),
        ("confirmed", "cancelled"),
        ("confirmed", "refunded"),
    }
)

# Who may ask for which transition (admins and the payment system may ask for any allowed one).
MERCHANT_TRANSITIONS: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("pending_payment", "cancelled"),
        ("confirmed", "shipped"),
        ("confirmed", "cancelled"),
        ("shipped", "delivered"),
    }
)
BUYER_TRANSITIONS: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("pending_payment", "cancelled"),
        ("confirmed", "cancelled"),
        ("delivered", "completed"),
    }
)


def is_allowed(from_status: str, to_status: str) -> bool:
    """True when the state machine allows going from one status to the other."""
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())
