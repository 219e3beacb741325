"""Tourists' feedback: what a reporter sends, what they follow through their private link, what staff handle."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_REPLY_CHARS",
    "MAX_PHOTO_BYTES",
    "CATEGORIES",
    "STATUSES",
    "Category",
    "Status",
    "FeedbackCreate",
    "FeedbackForm",
    "FeedbackReceipt",
    "FeedbackTracking",
    "Feedback",
    "InboxScope",
    "ResolveForm",
    "FeedbackResolve",
]

MAX_BODY_CHARS = 2000
MAX_REPLY_CHARS = 2000
# A phone photo of a dirty beach or a price list; the image pipeline refuses bombs and re-encodes it.
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


Category = Literal["cleanliness", "overcharging", "safety", "wrong_information", "other"]
Status = Literal["received", "assigned", "resolved"]

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("cleanliness", N_("Cleanliness")),
    ("overcharging", N_("Overcharging")),
    ("safety", N_("Safety")),
    ("wrong_information", N_("Wrong information")),
    ("other", N_("Other")),
)
STATUSES: tuple[tuple[str, str], ...] = (
    ("received", N_("Report received")),
    ("assigned", N_("Being handled")),
    ("resolved", N_("Resolved")),
)

Body = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BODY_CHARS)]
Reply = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_REPLY_CHARS)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Place = Annotated[str, msgspec.Meta(max_length=200)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class FeedbackCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A report: about an attraction (its slug), a shop (its slug) or a spot (a commune, a place, a point)."""

    category: Category
    body: Body
    attraction: Slug | None = None
    shop: Slug | None = None
    commune_code: int | None = None
    place: Place | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    email: Email | None = msgspec.field(default=None)
    locale: str = "vi"


class FeedbackForm(msgspec.Struct, frozen=True, kw_only=True):
    """The page's form (the photo is a separate file field, read by the page)."""

    category: Category
    body: Body
    attraction: Slug | None = None
    shop: Slug | None = None
    commune_code: int | None = None
    place: Place | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    email: Email | None = None

    def create(self, locale: str) -> FeedbackCreate:
        """The report this form asks for, in the page's language (0 as a commune means none chosen)."""
        return FeedbackCreate(category=self.category, body=self.body, attraction=self.attraction, shop=self.shop,
                              commune_code=self.commune_code or None, place=self.place, lat=self.lat, lng=self.lng,
                              email=self.email, locale=locale)


class FeedbackReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a new report: the private token to follow it (shown once, kept only hashed) and its path."""

    token: str
    path: str
    status: Status


class FeedbackTracking(msgspec.Struct, frozen=True, kw_only=True):
    """What the reporter sees through the private link."""

    category: Category
    body: str
    subject: dict[str, str] | None
    place: str | None
    photo_urls: dict[str, str] | None
    status: Status
    reply: str | None
    created_at: datetime
    resolved_at: datetime | None


class Feedback(msgspec.Struct, frozen=True, kw_only=True):
    """A report as the officials and editors handle it."""

    id: int
    category: Category
    body: str
    attraction_slug: str | None
    merchant_slug: str | None
    subject: dict[str, str] | None
    commune_code: int | None
    place: str | None
    lat: float | None
    lng: float | None
    photo_urls: dict[str, str] | None
    status: Status
    assigned_to_name: str | None
    reply: str | None
    created_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None


class InboxScope(msgspec.Struct, frozen=True):
    """Whose reports a person handles: every one, one commune's, and (editors) those about attractions."""

    everything: bool = False
    commune_code: int | None = None
    attractions: bool = False


class FeedbackResolve(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Resolve a report with a reply its reporter (and only they, through their link) will read."""

    reply: Reply


class ResolveForm(msgspec.Struct, frozen=True):
    """The inbox's form to resolve a report."""

    reply: Reply
