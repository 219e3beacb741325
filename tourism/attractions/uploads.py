"""Reading a photo upload from a multipart form: its bytes, type, alt text and caption, refused when missing,
wrong or huge."""

from typing import Any, NamedTuple

from litestar import Request
from litestar.datastructures import UploadFile

from tourism.errors import InvalidInput

__all__ = ["MAX_PHOTO_BYTES", "PHOTO_TYPES", "PhotoUpload", "read_photo_upload", "localized_fields"]

MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class PhotoUpload(NamedTuple):
    """What an upload form sent."""

    data: bytes
    content_type: str | None
    caption: dict[str, str]
    alt: dict[str, str]


def localized_fields(form: Any, prefix: str) -> dict[str, str]:
    """`<prefix>_<locale>` fields of a form as {locale: text}, blank ones left out (lengths are the service's)."""
    return {
        key.removeprefix(f"{prefix}_"): value.strip()
        for key, value in form.items()
        if key.startswith(f"{prefix}_") and isinstance(value, str) and value.strip()
    }


async def read_photo_upload(request: Request[Any, Any, Any]) -> PhotoUpload:
    """The uploaded file's bytes, its type, alt text and optional caption; 4xx for missing, wrong or huge files."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_PHOTO_BYTES + 64 * 1024:
        raise InvalidInput(f"a photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", code="photo_too_large")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("send the photo in a multipart field named 'file'", code="photo_missing")
    if upload.content_type not in PHOTO_TYPES:
        raise InvalidInput(
            "photos must be JPEG, PNG or WebP", code="photo_type", details={"allowed": list(PHOTO_TYPES)}
        )
    data = await upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"a photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", code="photo_too_large")
    if not data:
        raise InvalidInput("the photo is empty", code="photo_missing")
    return PhotoUpload(data, upload.content_type, localized_fields(form, "caption"), localized_fields(form, "alt"))
