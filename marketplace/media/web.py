"""Serving stored images from the local directory at /media (object storage serves them itself)."""

from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.params import FromPath
from litestar.response import File

from marketplace.media.storage import KEY_PATTERN
from marketplace.platform.errors import NotFound
from marketplace.platform.runtime import runtime_of

__all__ = ["media_file", "router"]


@get("/media/{key:path}", include_in_schema=False, name="media")
async def media_file(request: Request[Any, Any, Any], key: FromPath[str]) -> File:
    """A stored WebP; keys are random and content never changes, so it is cached for a year."""
    key = key.lstrip("/")
    if not KEY_PATTERN.match(key):
        raise NotFound("No such image.", code="image_not_found")
    path = Path(runtime_of(request.app.state).settings.data_dir) / "media" / key
    if not path.is_file():  # noqa: ASYNC240 - a stat of a local file
        raise NotFound("No such image.", code="image_not_found")
    return File(
        path=path,
        media_type="image/webp",
        content_disposition_type="inline",
        headers={"cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff"},
    )


router = Router(path="/", route_handlers=[media_file])
