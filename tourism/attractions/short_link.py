"""The posters' short link /a/{slug}: a QR code that sends each visitor to the attraction in their language."""

import re
from typing import Any

import asyncpg
from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from i18n import DEFAULT_LOCALE, LOCALE_COOKIE, negotiate_locale
from tourism.attractions import repository
from tourism.attractions.models import SLUG_PATTERN
from tourism.errors import NotFound
from tourism.webutil import base_url

__all__ = ["router", "short_link", "short_link_url"]

SLUG = re.compile(SLUG_PATTERN)


def short_link_url(settings: Any, slug: str) -> str:
    """The locale-free link a poster prints: short, and right for every reader."""
    return f"{base_url(settings)}/a/{slug}"


@get("/a/{slug:str}", name="tourism.short_link", include_in_schema=False)
async def short_link(request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                     slug: FromPath[str]) -> Redirect:
    """The poster's QR target: count the scan and send the visitor to the attraction in their language."""
    if not SLUG.match(slug):
        raise NotFound(f"no attraction {slug!r}", code="attraction_not_found")
    await repository.record_poster_scan(db, slug)
    # The app may be mounted under a prefix; whatever precedes /a/<slug> in this request is that prefix.
    prefix = request.scope["path"][: -len(f"/a/{slug}")]
    locale = negotiate_locale(
        None, request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language"), default=DEFAULT_LOCALE
    )
    return Redirect(
        f"{prefix}/{locale}/attractions/{slug}",
        status_code=HTTP_302_FOUND,
        headers={"vary": "Accept-Language, Cookie", "cache-control": "private, max-age=300"},
    )


router = Router(path="/", route_handlers=[short_link])
