"""Reading a photo upload from a multipart form: its bytes, type and caption, refused when missing, wrong or huge."""

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from tourism.errors import InvalidInput

__all__ = ["MAX_PHOTO_BYTES", "PHOTO_TYPES", "read_photo_upload"]

MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


async def read_photo_upload(request: Request[Any, Any, Any]) -> tuple[bytes, str | None, dict[str, str]]:
    """The uploaded file's bytes, its type and an optional caption; 4xx for missing, wrong or huge files."""
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
    caption = {
        key.removeprefix("caption_"): str(value).strip()[:300]
        for key, value in form.items()
        if key.startswith("caption_") and isinstance(value, str) and value.strip()
    }
    return data, upload.content_type, caption
