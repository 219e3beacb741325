"""Serving stored images at /media (from the local directory or the bucket) and the drawn illustrations."""

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath
from litestar.response import File

from marketplace.media.storage import KEY_PATTERN, LocalStorage
from marketplace.platform.errors import NotFound
from marketplace.platform.illustrations import illustration_file
from marketplace.platform.runtime import runtime_of

__all__ = ["media_file", "illustration", "router"]


IMAGE_HEADERS = {"cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff"}


@get("/media/{key:path}", include_in_schema=False, name="media")
async def media_file(request: Request[Any, Any, Any], key: FromPath[str]) -> File | Response[bytes]:
    """A stored WebP; keys are random and content never changes, so it is cached for a year."""
    key = key.lstrip("/")
    if not KEY_PATTERN.match(key):
        raise NotFound("No such image.", code="image_not_found")
    runtime = runtime_of(request.app.state)
    storage = getattr(runtime.images, "storage", None)
    if storage is not None and not isinstance(storage, LocalStorage):
        # Object storage (MEDIA_URL=s3://...): every server reads the same bucket.
        data = await storage.get(key)
        if data is None:
            raise NotFound("No such image.", code="image_not_found")
        return Response(data, media_type="image/webp", headers=IMAGE_HEADERS)
    path = storage.path(key) if storage is not None else Path(runtime.settings.data_dir) / "media" / key
    if not path.is_file():  # noqa: ASYNC240 - a stat of a local file
        raise NotFound("No such image.", code="image_not_found")
    return File(
        path=path,
        media_type="image/webp",
        content_disposition_type="inline",
        headers=IMAGE_HEADERS,
    )


# The SVGs are ours, but an SVG is a document: it may run nothing and load nothing, even opened on its own.
ILLUSTRATION_HEADERS = {**IMAGE_HEADERS, "content-security-policy": "default-src 'none'"}


@get("/illustrations/{file_name:str}", include_in_schema=False, name="illustration")
async def illustration(file_name: FromPath[str]) -> Response[bytes]:
    """A category's illustration under its fingerprinted name; the content never changes, so a year's cache."""
    content = illustration_file(file_name)
    if content is None:
        raise NotFound("No such illustration.", code="illustration_not_found")
    return Response(content, media_type="image/svg+xml", headers=ILLUSTRATION_HEADERS)


router = Router(path="/", route_handlers=[media_file, illustration])
