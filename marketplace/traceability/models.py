"""Batches of OCOP products as merchants record them and as the public trace page shows them."""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText
from i18n.forms import invalid_fields

__all__ = [
    "TRACE_CODE_PATTERN",
    "DateKind",
    "BatchChange",
    "BatchForm",
    "Batch",
    "Trace",
]

TRACE_CODE_PATTERN = r"^[a-z2-9]{10}$"
DateKind = Literal["production", "harvest"]
BatchCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
                                        description="the merchant's own lot number")]
Certificate = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
InputsNote = Annotated[str, msgspec.Meta(max_length=2000, description="seeds, feed, fertiliser, treatments")]
MAX_CERTIFICATES = 10


class BatchChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A batch's facts, as recorded and as replaced by an edit."""

    batch_code: BatchCode
    date_kind: DateKind = "production"
    produced_on: date
    quantity: Quantity
    certificates: Annotated[list[Certificate], msgspec.Meta(max_length=MAX_CERTIFICATES)] = msgspec.field(
        default_factory=list)
    inputs_note: InputsNote = ""


class BatchForm(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard's batch form: certificate numbers one a line (or separated by commas)."""

    batch_code: BatchCode
    date_kind: DateKind = "production"
    produced_on: date
    quantity: Quantity
    certificates: Annotated[str, msgspec.Meta(max_length=MAX_CERTIFICATES * 62)] = ""
    inputs_note: InputsNote = ""

    def change(self) -> BatchChange:
        """The service's Struct (certificate numbers checked there, each at most 60 characters)."""
        numbers = [part.strip() for line in self.certificates.splitlines() for part in line.split(",")]
        try:
            return msgspec.convert({"batch_code": self.batch_code.strip(), "date_kind": self.date_kind,
                                    "produced_on": self.produced_on, "quantity": self.quantity,
                                    "certificates": [number for number in numbers if number],
                                    "inputs_note": self.inputs_note.strip()}, BatchChange)
        except msgspec.ValidationError as error:
            raise invalid_fields(error) from None


class Batch(msgspec.Struct, frozen=True, kw_only=True):
    """A batch as its merchant sees it, with how often its labels were scanned."""

    id: int
    product_id: int
    merchant_id: int
    trace_code: str
    batch_code: str
    date_kind: DateKind
    produced_on: date
    quantity: int
    unit: str
    certificates: list[str]
    inputs_note: str
    created_at: datetime
    updated_at: datetime
    scans: int = 0


class Trace(msgspec.Struct, frozen=True, kw_only=True):
    """What the public trace page shows: the batch, its product, its producer and the OCOP certificate."""

    trace_code: str
    batch_code: str
    date_kind: DateKind
    produced_on: date
    quantity: int
    unit: str
    certificates: list[str]
    inputs_note: str
    product_name: LocalizedText
    product_slug: str
    product_published: bool
    merchant_name: LocalizedText
    merchant_slug: str
    commune_code: int | None
    ocop_stars: int | None
    ocop_certificate_no: str | None
    ocop_year: int | None
    ocop_expires_on: date | None
    scans: int
    recorded_at: datetime
