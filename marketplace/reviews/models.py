"""Reviews as shown, and what a buyer or merchant sends."""

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = ["Review", "ReviewCreate", "ReplyCreate"]


class Review(msgspec.Struct, frozen=True, kw_only=True):
    """A buyer's rating and text, and the merchant's reply if any."""

    id: int
    order_id: int
    product_id: int
    merchant_id: int
    buyer_user_id: int
    buyer_name: str
    rating: int
    body: str
    reply: str | None
    replied_at: datetime | None
    created_at: datetime


class ReviewCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """1 to 5 stars and a text in any language."""

    order_id: int
    product_id: int
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    body: Annotated[str, msgspec.Meta(max_length=4000)] = ""


class ReplyCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The merchant's one reply."""

    reply: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
