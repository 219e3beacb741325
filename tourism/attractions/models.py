"""Attraction Structs: the read model, create and update payloads, fees and photos."""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText
from tourism.hours import OpeningHours

__all__ = [
    "CATEGORIES",
    "VISITOR_TYPES",
    "Category",
    "Status",
    "SLUG_PATTERN",
    "Slug",
    "Fee",
    "Photo",
    "Rendition",
    "Attraction",
    "AttractionCreate",
    "AttractionUpdate",
    "AttractionPage",
    "AttractionForm",
]

CATEGORIES: tuple[str, ...] = (
    "beach",
    "heritage",
    "nature",
    "craft_village",
    "vineyard",
    "viewpoint",
    "museum",
    "food",
    "landmark",
    "scenic_route",
    "religious",
    "market",
)
Category = Literal[
    "beach",
    "heritage",
    "nature",
    "craft_village",
    "vineyard",
    "viewpoint",
    "museum",
    "food",
    "landmark",
    "scenic_route",
    "religious",
    "market",
]
VISITOR_TYPES: tuple[str, ...] = ("adult", "child", "student", "senior", "foreigner", "vehicle", "guide")
VisitorType = Literal["adult", "child", "student", "senior", "foreigner", "vehicle", "guide"]
Status = Literal["draft", "published"]
# Lower-case words joined by single hyphens: "po-klong-garai".
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, min_length=1, max_length=80)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
ShortText = Annotated[str, msgspec.Meta(max_length=500)]
SourceText = Annotated[str, msgspec.Meta(max_length=2000)]


class Fee(msgspec.Struct, frozen=True, kw_only=True):
    """An entry fee for one visitor type, in VND; 0 means free for them."""

    visitor_type: VisitorType
    amount_vnd: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
    note: LocalizedText = {}


# The longest side, in CSS pixels, of a photo in a gallery (marketplace/templates/_pictures.html).
GALLERY_BOX = 480


class Rendition(msgspec.Struct, frozen=True):
    """One size of a photo: its URL and pixel size."""

    url: str
    width: int
    height: int


class Photo(msgspec.Struct, frozen=True, kw_only=True):
    """A stored image: the pipeline's key, its URLs and pixel sizes by size name, its alt text per locale."""

    id: int
    key: str
    urls: dict[str, str]
    caption: LocalizedText = {}
    alt: LocalizedText = {}
    sizes: dict[str, tuple[int, int]] = {}

    @property
    def renditions(self) -> list[Rendition]:
        """The sizes whose pixel size is known, smallest first (for srcset)."""
        known = [Rendition(url, *self.sizes[name]) for name, url in self.urls.items() if name in self.sizes]
        return sorted(known, key=lambda rendition: rendition.width)

    @property
    def shown(self) -> Rendition | None:
        """The size a gallery shows in its 480-pixel box: the smallest whose longer side reaches 480, else the
        largest there is (a small original is not enlarged)."""
        renditions = self.renditions
        fitting = [r for r in renditions if max(r.width, r.height) >= GALLERY_BOX]
        return fitting[0] if fitting else (renditions[-1] if renditions else None)


class Attraction(msgspec.Struct, frozen=True, kw_only=True):
    """An attraction as stored."""

    id: int
    slug: str
    name: LocalizedText
    summary: LocalizedText = {}
    description: LocalizedText = {}
    category: str
    commune_code: int | None = None
    commune_name: str | None = None
    commune_dataset_version: str | None = None
    lat: float
    lng: float
    coord_accuracy: str = "unknown"
    opening_hours: OpeningHours = msgspec.field(default_factory=OpeningHours)
    fees: list[Fee] = []
    accessibility: LocalizedText = {}
    tips: LocalizedText = {}
    best_season: LocalizedText = {}
    verified_on: date | None = None
    source: str | None = None
    status: Status = "draft"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    photos: list[Photo] = []

    @property
    def document_id(self) -> str:
        """Its id in search."""
        return f"attraction:{self.slug}"

    @property
    def url_path(self) -> str:
        """Its page after the locale prefix."""
        return f"/attractions/{self.slug}"


class AttractionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an editor sends to create an attraction (a draft unless status says otherwise)."""

    slug: Slug
    name: LocalizedText
    category: Category
    lat: Latitude
    lng: Longitude
    summary: LocalizedText = {}
    description: LocalizedText = {}
    commune_code: int | None = None
    coord_accuracy: ShortText = "unknown"
    opening_hours: OpeningHours = msgspec.field(default_factory=OpeningHours)
    fees: Annotated[list[Fee], msgspec.Meta(max_length=20)] = []
    accessibility: LocalizedText = {}
    tips: LocalizedText = {}
    best_season: LocalizedText = {}
    verified_on: date | None = None
    source: SourceText | None = None
    status: Status = "draft"


class AttractionUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A partial update: fields left UNSET keep their value."""

    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    name: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType = msgspec.UNSET
    lng: Longitude | msgspec.UnsetType = msgspec.UNSET
    summary: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    description: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    commune_code: int | None | msgspec.UnsetType = msgspec.UNSET
    coord_accuracy: ShortText | msgspec.UnsetType = msgspec.UNSET
    opening_hours: OpeningHours | msgspec.UnsetType = msgspec.UNSET
    fees: Annotated[list[Fee], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    accessibility: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    tips: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    best_season: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    verified_on: date | None | msgspec.UnsetType = msgspec.UNSET
    source: SourceText | None | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET


class AttractionPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of a listing and the cursor for the next (None at the end)."""

    items: list[Attraction]
    next_cursor: str | None = None


class AttractionForm(msgspec.Struct, frozen=True, kw_only=True):
    """The editors' attraction form: hours and fees are the text they type, one rule or one fee per line.

    Every field is sent, so a blank one clears the stored value; a blank name is the service's to refuse.
    """

    slug: Slug
    name: LocalizedText = {}
    summary: LocalizedText = {}
    description: LocalizedText = {}
    accessibility: LocalizedText = {}
    tips: LocalizedText = {}
    best_season: LocalizedText = {}
    category: Category
    commune_code: int | None = msgspec.field(default=None, name="commune")
    lat: Latitude
    lng: Longitude
    coord_accuracy: ShortText = "unknown"
    hours: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    hours_verified: bool = False
    fees: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    verified_on: date | None = None
    source: SourceText | None = None
    status: Status = "draft"
