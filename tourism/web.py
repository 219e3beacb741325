"""Tourism's routes for the app: page, API and root handlers (docs/CONTRACTS.md); never imports marketplace."""

import re
from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from i18n import DEFAULT_LOCALE, negotiate_locale
from tourism.attractions.api import attraction_api_handlers
from tourism.attractions.editor import attraction_editor_handlers
from tourism.attractions.pages import AttractionPages, NearMePages
from tourism.errors import NotFound
from tourism.events.api import event_api_handlers
from tourism.events.editor import event_editor_handlers
from tourism.events.pages import EventPages
from tourism.trips.api import TripApi
from tourism.trips.pages import SharedTripPages, TripPages
from tourism.webutil import GuardSet

__all__ = ["page_handlers", "api_handlers", "root_handlers"]

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def page_handlers(guards: GuardSet) -> list[Any]:
    """HTML pages, mounted by the app under /{locale}."""
    return [
        AttractionPages,
        NearMePages,
        EventPages,
        TripPages,
        SharedTripPages,
        *attraction_editor_handlers(guards),
        *event_editor_handlers(guards),
    ]


def api_handlers(guards: GuardSet) -> list[Any]:
    """JSON API, mounted by the app under /api/v1."""
    return [*attraction_api_handlers(guards), *event_api_handlers(guards), TripApi]


@get("/a/{slug:str}", name="tourism.short_link", include_in_schema=False)
async def short_link(request: Request[Any, Any, Any], slug: FromPath[str]) -> Redirect:
    """The poster's QR target: send the visitor to the attraction in their language."""
    if not SLUG.match(slug):
        raise NotFound(f"no attraction {slug!r}", code="attraction_not_found")
    # The app may be mounted under a prefix; whatever precedes /a/<slug> in this request is that prefix.
    prefix = request.scope["path"][: -len(f"/a/{slug}")]
    locale = negotiate_locale(
        None, request.cookies.get("locale"), request.headers.get("accept-language"), default=DEFAULT_LOCALE
    )
    return Redirect(
        f"{prefix}/{locale}/attractions/{slug}",
        status_code=HTTP_302_FOUND,
        headers={"vary": "Accept-Language, Cookie", "cache-control": "private, max-age=300"},
    )


def root_handlers(guards: GuardSet) -> list[Any]:
    """Handlers outside the locale and API prefixes."""
    return [short_link]
