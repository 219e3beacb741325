"""Reading the merchant's HTML forms into the service Structs, with readable errors."""

from datetime import datetime
from typing import Any, TypeVar

import msgspec

from i18n import SUPPORTED_LOCALES, TIME_ZONE
from marketplace.platform.errors import Unprocessable

__all__ = [
    "convert_form",
    "localized_fields",
    "optional_int",
    "optional_float",
    "local_datetime",
    "error_lines",
    "FORM_ERROR",
]

T = TypeVar("T")
FORM_ERROR = "Please check the form."


def convert_form(data: dict[str, Any], model: type[T]) -> T:
    """msgspec conversion of string form values (lax), 422 naming the field on failure."""
    try:
        return msgspec.convert(data, model, strict=False)
    except msgspec.ValidationError as error:
        text = str(error)
        field = text.rsplit("`$.", 1)[-1].rstrip("`").split("[")[0].split(".")[0] if "`$." in text else ""
        raise Unprocessable(FORM_ERROR, code="invalid_form", details={"field": field, "problem": text}) from None


def localized_fields(form: Any, prefix: str) -> dict[str, str]:
    """`name_vi`, `name_en`, ... into {"vi": ..., "en": ...}, blanks dropped."""
    return {
        locale: str(form.get(f"{prefix}_{locale}")).strip()
        for locale in SUPPORTED_LOCALES
        if form.get(f"{prefix}_{locale}") and str(form.get(f"{prefix}_{locale}")).strip()
    }


def optional_int(form: Any, name: str) -> int | None:
    """An optional integer field: blank is None."""
    raw = str(form.get(name) or "").strip().replace(".", "").replace(",", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Unprocessable(FORM_ERROR, code="invalid_form", details={"field": name})
    return int(raw)


def optional_float(form: Any, name: str) -> float | None:
    """An optional decimal field (comma or dot)."""
    raw = str(form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Unprocessable(FORM_ERROR, code="invalid_form", details={"field": name}) from None


def local_datetime(form: Any, name: str) -> datetime | None:
    """A `datetime-local` field, read in the province's time zone."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=TIME_ZONE)
    except ValueError:
        raise Unprocessable(FORM_ERROR, code="invalid_form", details={"field": name}) from None


def error_lines(error: Any) -> list[tuple[str, str]]:
    """(message, field) pairs for a page: the message is translated by the template, the field named as is."""
    details = getattr(error, "details", None)
    field = details.get("field", "") if isinstance(details, dict) else ""
    return [(getattr(error, "message", str(error)), str(field or ""))]
