"""Small helpers the tourism handlers share: the injected types they rely on, prefixes, forms, cookies."""

from typing import Any, Protocol, runtime_checkable

import msgspec

from i18n import SUPPORTED_LOCALES
from tourism.errors import InvalidInput, TourismError

__all__ = [
    "PageRenderer",
    "GuardSet",
    "TRIP_COOKIE",
    "TRIP_COOKIE_MAX_AGE",
    "path_prefix",
    "base_url",
    "form_text",
    "form_localized",
    "parse_float",
    "is_editor",
    "error_message",
]

# The trip's edit token; HttpOnly so scripts cannot read it, a year long so a holiday's plan survives.
TRIP_COOKIE = "trip"
TRIP_COOKIE_MAX_AGE = 365 * 24 * 3600


@runtime_checkable
class PageRenderer(Protocol):
    """The app's page renderer, received as the `page` dependency."""

    path_prefix: str
    locale: str

    def render(
        self,
        template_name: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Any: ...


class GuardSet(Protocol):
    """The guards the app hands to tourism (Litestar guard callables)."""

    authenticated: Any
    editor: Any


def path_prefix(page: Any) -> str:
    """Where the app is mounted ('' standalone, '/market' inside a portal)."""
    return str(getattr(page, "path_prefix", "") or "")


def base_url(settings: Any, page: Any = None) -> str:
    """The public URL of the app, with its mount prefix when known."""
    return str(getattr(settings, "base_url", "http://127.0.0.1:8000")).rstrip("/") + path_prefix(page)


def is_editor(principal: Any) -> bool:
    """True for a principal with the editor role (admins have every role)."""
    return principal is not None and bool(principal.has_role("editor"))


def form_text(form: Any, name: str, max_length: int = 10_000) -> str:
    """A trimmed form field; over-long values are refused, not cut, so nothing is silently lost."""
    value = str(form.get(name, "") or "").strip()
    if len(value) > max_length:
        raise InvalidInput(
            f"{name} is longer than {max_length} characters", code="field_too_long", details={"field": name}
        )
    return value


def form_localized(form: Any, name: str, max_length: int = 10_000) -> dict[str, str]:
    """`name_vi`, `name_en`, ... fields as a LocalizedText (blank ones left out)."""
    values = {locale: form_text(form, f"{name}_{locale}", max_length) for locale in SUPPORTED_LOCALES}
    return {locale: value for locale, value in values.items() if value}


def parse_float(value: Any, *, low: float, high: float) -> float | None:
    """A number within bounds from a query or form value; None when blank or not a finite number in range."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if low <= number <= high else None


def error_message(error: TourismError | msgspec.ValidationError) -> str:
    """What an editor form shows for a refused save (translated by the template)."""
    return error.message if isinstance(error, TourismError) else str(error)
