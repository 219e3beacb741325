"""What tourism's handlers share: the injected page renderer, prefixes and URLs, redirects, and the editors' forms."""

import json
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import Any, Protocol, TypeVar, runtime_checkable

import asyncpg
import msgspec
from babel.dates import get_day_names
from litestar import Response
from litestar.datastructures import Cookie
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from markupsafe import Markup

from i18n.forms import invalid_fields, submit

__all__ = [
    "PageRenderer",
    "ShowFormAgain",
    "NO_STORE",
    "TRIP_COOKIE",
    "TRIP_COOKIE_MAX_AGE",
    "path_prefix",
    "base_url",
    "is_editor",
    "json_ld",
    "weekday_names",
    "see_other",
    "submit_form",
    "checked",
]

T = TypeVar("T")

# Pages that show one person's data or an editor's work: no shared cache keeps them, nor the browser.
NO_STORE = {"cache-control": "private, no-store"}
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


# Renders a form again: (the values as typed, [(message, field)], status code) -> the page.
ShowFormAgain = Callable[[dict[str, Any], list[tuple[str, str]], int], Awaitable[Response[Any]]]


def path_prefix(page: Any) -> str:
    """Where the app is mounted ('' standalone, '/market' inside a portal)."""
    return str(getattr(page, "path_prefix", "") or "")


def base_url(settings: Any, page: Any = None) -> str:
    """The public URL of the app, with its mount prefix when known."""
    return str(getattr(settings, "base_url", "http://127.0.0.1:8000")).rstrip("/") + path_prefix(page)


def is_editor(principal: Any) -> bool:
    """True for a principal with the editor role (admins have every role)."""
    return principal is not None and bool(principal.has_role("editor"))


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON-LD safe inside a <script> element (no '</' can end it early)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def weekday_names(width: str, locale: str) -> list[str]:
    """Monday-first weekday names (Babel keys them 0 = Monday; its iteration order is CLDR's, Sunday first)."""
    return list(_weekday_names(width, locale))


@lru_cache(maxsize=64)
def _weekday_names(width: str, locale: str) -> tuple[str, ...]:
    # Babel reads its locale data on each call: 6% of an attraction page's CPU before this cache.
    names = get_day_names(width, locale=locale)
    return tuple(names[index] for index in range(7))


def see_other(page: PageRenderer, path: str, cookies: list[Cookie] | None = None) -> Redirect:
    """Post/redirect/get to `path` in the page's locale (and the app's mount prefix)."""
    return Redirect(f"{path_prefix(page)}/{page.locale}{path}", status_code=HTTP_303_SEE_OTHER, cookies=cookies or [])


def checked(fields: dict[str, Any], model: type[T]) -> T:
    """The service's Struct from a form's typed fields, its constraints checked; a refusal names the field."""
    try:
        return msgspec.convert(fields, model)
    except msgspec.ValidationError as error:
        raise invalid_fields(error) from None


async def submit_form(
    db: asyncpg.Connection,
    page: PageRenderer,
    form: Mapping[str, Any],
    model: type[T],
    save: Callable[[T], Awaitable[str]],
    show_again: ShowFormAgain,
    **known: Any,
) -> Response[Any]:
    """Read `form` into `model`, `save` it and redirect to the path it returns; else show the form again.

    `i18n.forms.submit` runs `save` in a savepoint, so a rule it breaks half-way undoes its writes while the
    request's transaction stays usable to render the form with the messages.
    """
    outcome = await submit(form, model, save, show_again, savepoint=db.transaction, **known)
    return see_other(page, outcome) if isinstance(outcome, str) else outcome
