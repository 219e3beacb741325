"""Merchants as the public, the merchant and the admin see them; the three onboarding forms."""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from i18n import TIME_ZONE, LocalizedText
from i18n.forms import REQUIRED, FormInvalid

__all__ = [
    "ShopPhoto",
    "PhotoRendition",
    "MerchantTexts",
    "MerchantKind",
    "Ocop",
    "Merchant",
    "MerchantStart",
    "MerchantLocation",
    "MerchantDetails",
    "MerchantReview",
    "MerchantDetailsForm",
    "MerchantReviewForm",
    "MERCHANT_KINDS",
]

MerchantKind = Literal["household", "cooperative", "company", "tour_operator"]
MERCHANT_KINDS: tuple[str, ...] = ("household", "cooperative", "company", "tour_operator")
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 .-]{6,20}$", max_length=20)]


class Ocop(msgspec.Struct, frozen=True, kw_only=True):
    """An OCOP (One Commune One Product) certificate: 3 to 5 stars, its number, year and expiry."""

    stars: Annotated[int, msgspec.Meta(ge=3, le=5)]
    certificate_no: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    year: Annotated[int, msgspec.Meta(ge=2018, le=2100)]
    expires_on: date | None = None

    @property
    def valid(self) -> bool:
        """True until the expiry date has passed (in the province's time zone)."""
        return self.expires_on is None or self.expires_on >= datetime.now(TIME_ZONE).date()


class Merchant(msgspec.Struct, frozen=True, kw_only=True):
    """A merchant profile."""

    id: int
    slug: str
    kind: str
    name: LocalizedText
    story: LocalizedText
    province_code: int | None
    commune_code: int | None
    address: str
    lat: float | None
    lng: float | None
    phone: str
    logo: dict[str, str] | None
    ocop: Ocop | None
    offers_pickup: bool
    delivery_fee: int | None
    status: str
    onboarding_step: int
    owner_user_id: int | None
    rating_avg: float | None
    rating_count: int
    assisted: bool = False
    created_at: datetime


class MerchantStart(msgspec.Struct, frozen=True, kw_only=True):
    """Form 1 of 3: who you are."""

    name: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    kind: MerchantKind = "household"
    phone: Phone
    name_locale: Literal["vi", "en", "zh", "ko", "ja", "ru", "fr", "ar"] = "vi"


class MerchantLocation(msgspec.Struct, frozen=True, kw_only=True):
    """Form 2 of 3: where you are."""

    commune_code: int
    address: Annotated[str, msgspec.Meta(min_length=2, max_length=300)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lng: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class MerchantDetails(msgspec.Struct, frozen=True, kw_only=True):
    """Form 3 of 3: your story, how buyers receive orders, OCOP certificate if any."""

    story: LocalizedText = msgspec.field(default_factory=dict)
    offers_pickup: bool = True
    delivery_fee: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None
    ocop: Ocop | None = None


class MerchantTexts(msgspec.Struct, frozen=True, kw_only=True):
    """The shop's name and story in every language, as the languages page edits them (fields `name_<locale>`)."""

    name: LocalizedText = msgspec.field(default_factory=dict)
    story: LocalizedText = msgspec.field(default_factory=dict)


class MerchantReview(msgspec.Struct, frozen=True):
    """An approval decision."""

    approve: bool
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MerchantDetailsForm(msgspec.Struct, frozen=True, kw_only=True):
    """Form 3 as the page sends it: the story in the page's language, check boxes, flat OCOP fields."""

    story: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    offers_pickup: bool = False
    delivers: bool = False
    delivery_fee: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None
    ocop_stars: Annotated[int, msgspec.Meta(ge=3, le=5)] | None = None
    ocop_certificate_no: Annotated[str, msgspec.Meta(max_length=60)] = ""
    ocop_year: Annotated[int, msgspec.Meta(ge=2018, le=2100)] | None = None
    ocop_expires_on: date | None = None

    def details(self, story: LocalizedText, locale: str) -> MerchantDetails:
        """The service's Struct; the story replaces `locale`'s text in `story` and keeps the other languages."""
        return MerchantDetails(story={**story, locale: self.story}, offers_pickup=self.offers_pickup,
                               delivery_fee=self.delivery_fee if self.delivers else None, ocop=self._ocop())

    def _ocop(self) -> Ocop | None:
        if not self.ocop_stars:
            return None
        # A certificate with stars must name its number and year.
        missing = {name: REQUIRED for name in ("ocop_certificate_no", "ocop_year") if not getattr(self, name)}
        if missing or self.ocop_year is None:
            raise FormInvalid(missing)
        return Ocop(stars=self.ocop_stars, certificate_no=self.ocop_certificate_no, year=self.ocop_year,
                    expires_on=self.ocop_expires_on)


class MerchantReviewForm(msgspec.Struct, frozen=True, kw_only=True):
    """The approval queue's buttons: `decision` is approve or reject, with an optional note."""

    decision: Literal["approve", "reject"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""

    def review(self) -> MerchantReview:
        """The service's Struct."""
        return MerchantReview(approve=self.decision == "approve", note=self.note)


# The longest side, in CSS pixels, of a photo in a gallery (marketplace/templates/_pictures.html).
GALLERY_BOX = 480


class PhotoRendition(msgspec.Struct, frozen=True):
    """One size of a photo: its URL and pixel size."""

    url: str
    width: int
    height: int


class ShopPhoto(msgspec.Struct, frozen=True, kw_only=True):
    """A photo of the shop's gallery: URLs and pixel sizes by size name, alt text per locale."""

    id: int
    storage_key: str
    urls: dict[str, str]
    sizes: dict[str, tuple[int, int]] = {}
    alt: LocalizedText = {}
    caption: LocalizedText = {}
    """Shops have no captions; the field lets the pages share one gallery macro with attractions."""

    @property
    def renditions(self) -> list[PhotoRendition]:
        """The sizes whose pixel size is known, smallest first (for srcset)."""
        known = [PhotoRendition(url, *self.sizes[name]) for name, url in self.urls.items() if name in self.sizes]
        return sorted(known, key=lambda rendition: rendition.width)

    @property
    def shown(self) -> PhotoRendition | None:
        """The size a gallery shows in its 480-pixel box: the smallest whose longer side reaches 480, else the
        largest there is (a small original is not enlarged)."""
        renditions = self.renditions
        fitting = [r for r in renditions if max(r.width, r.height) >= GALLERY_BOX]
        return fitting[0] if fitting else (renditions[-1] if renditions else None)
