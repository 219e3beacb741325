"""Featured listings: an editor's pick and the forms that add, move or remove one."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText

__all__ = ["Group", "GROUPS", "FeaturedPick", "PickForm", "PositionForm", "POPULARITY_DAYS", "HOME_LIMIT"]

Group = Literal["attractions", "products"]
GROUPS: tuple[Group, ...] = ("attractions", "products")
# Popularity is what visitors did recently: a listing popular last year should not hold the home page forever.
POPULARITY_DAYS = 90
# Cards per list on the home page.
HOME_LIMIT = 6
Position = Annotated[int, msgspec.Meta(ge=1, le=99)]


class FeaturedPick(msgspec.Struct, frozen=True, kw_only=True):
    """A listing an editor put on the home page at a position (1 first)."""

    id: int
    group: Group
    document_id: str
    name: LocalizedText
    slug: str
    position: int
    chosen_at: datetime | None = None


class PickForm(msgspec.Struct, frozen=True, kw_only=True):
    """Feature a listing: an attraction by its slug, or a product or experience by the slug in its address."""

    group: Group
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    position: Position = 1


class PositionForm(msgspec.Struct, frozen=True, kw_only=True):
    """Move a pick to another position."""

    position: Position
