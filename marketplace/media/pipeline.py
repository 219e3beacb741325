"""The upload pipeline: check by content (not by the declared type), refuse bombs, strip metadata, make WebPs."""

import io
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import msgspec
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.media.storage import LocalStorage, Storage
from marketplace.platform.cpu import run_cpu

__all__ = [
    "ImagePipeline",
    "StoredImage",
    "ImageRejected",
    "UploadedFile",
    "require_file",
    "create_image_pipeline",
    "MAX_UPLOAD_BYTES",
    "DEFAULT_SIZES",
    "MAX_PIXELS",
]

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Decoding memory is bounded by the pixels decoded (Pillow keeps RGB in 4 bytes a pixel). JPEG decodes at
# 1/2, 1/4 or 1/8 scale ("draft"), just above the largest rendition, so a 48-megapixel photo costs a few MB;
# PNG, WebP and GIF decode in full: 16.8 megapixels (4096 x 4096) is 64 MiB at most. A bomb (a tiny file
# declaring 6300 x 6300 pixels) is refused from its header, before any pixel is decoded.
MAX_PIXELS = 50_000_000
MAX_FULL_DECODE_PIXELS = 4096 * 4096
MAX_EDGE = 12_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
DEFAULT_SIZES: dict[str, int] = {"thumb": 160, "medium": 480, "large": 1200}


class ImageRejected(Exception):
    """An upload that is not accepted; carries the 4xx status and a stable code like the app's errors."""

    def __init__(self, message: str, *, code: str, status_code: int = 422, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.details = details


class UploadedFile(Protocol):
    """A file of a multipart form, as Litestar hands it over."""

    content_type: str | None

    async def read(self, size: int = -1) -> bytes:
        """The file's bytes."""


def require_file(upload: Any) -> UploadedFile:
    """The upload itself; 400 when the form has no file under the field `file`."""
    if upload is None or not hasattr(upload, "read"):
        raise ImageRejected("Attach the image as the multipart field 'file'.", code="file_missing", status_code=400)
    return upload  # type: ignore[no-any-return]


class StoredImage(msgspec.Struct, frozen=True):
    """A stored image: its base key, the URL of each size, the original's dimensions and each rendition's
    (width, height), which pages need for width/height attributes and srcset."""

    key: str
    urls: dict[str, str]
    width: int
    height: int
    sizes: dict[str, tuple[int, int]] = {}


def _too_large(width: int, height: int, limit: int) -> ImageRejected:
    return ImageRejected(
        f"The image is too large ({width} x {height} pixels); send at most {limit // 1_000_000} megapixels.",
        code="image_too_large_pixels",
        status_code=413,
        details={"max_pixels": limit, "width": width, "height": height},
    )


def _open_header(data: bytes) -> Image.Image:
    """Open the image lazily (its header only) and refuse unknown formats and oversized dimensions.

    Cheap enough for the event loop: nothing is decoded, so an image that is too large is refused before
    it takes a place in the decoding queue.
    """
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; make the warning an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own bomb check fires inside open(), before the size is known here.
            raise ImageRejected(
                "The image has too many pixels.",
                code="image_too_large_pixels",
                status_code=413,
                details={"max_pixels": MAX_FULL_DECODE_PIXELS},
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ImageRejected(
                "This file is not an image we can read.", code="not_an_image", status_code=415
            ) from None
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRejected("Only JPEG, PNG, WebP or GIF images are accepted.", code="unsupported_image",
                            status_code=415)
    width, height = image.size
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_FULL_DECODE_PIXELS
    if width * height > limit or max(width, height) > MAX_EDGE:
        raise _too_large(width, height, limit)
    return image


def _open_checked(data: bytes, largest_edge: int) -> tuple[Image.Image, int, int]:
    """Open and decode the image with bounded memory: (image, original width, original height).

    JPEGs decode in draft mode at the smallest scale that still covers `largest_edge`.
    """
    image = _open_header(data)
    width, height = image.size
    try:
        if image.format == "JPEG":
            image.draft("RGB", (largest_edge, largest_edge))
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("This file is not an image we can read.", code="not_an_image", status_code=415) from None
    return image, width, height


def _encode_sizes(data: bytes, sizes: dict[str, int]) -> tuple[dict[str, tuple[bytes, tuple[int, int]]], int, int]:
    largest = max(sizes.values())
    image, width, height = _open_checked(data, largest)
    if getattr(image, "is_animated", False):
        image.seek(0)
    # Shrink to the largest rendition first, in place, so no full-size copy is ever made.
    image.thumbnail((largest, largest), Image.Resampling.LANCZOS)
    # Apply the camera's orientation, then drop EXIF and every other metadata by re-encoding pixels only.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    encoded: dict[str, tuple[bytes, tuple[int, int]]] = {}
    for name, edge in sizes.items():
        copy = image.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, format="WEBP", quality=80, method=4)
        encoded[name] = (out.getvalue(), copy.size)
    return encoded, width, height


class ImagePipeline:
    """Checks uploads and stores WebP renditions through a Storage."""

    def __init__(
        self, storage: Storage, *, sizes: dict[str, int] | None = None, max_bytes: int = MAX_UPLOAD_BYTES
    ) -> None:
        self.storage = storage
        self.sizes = dict(sizes or DEFAULT_SIZES)
        self.max_bytes = max_bytes

    async def store_upload(self, data: bytes, *, content_type: str | None) -> StoredImage:
        """Validate and store an upload; raise ImageRejected (4xx) for anything that is not a safe image."""
        if not data:
            raise ImageRejected("The file is empty.", code="empty_upload", status_code=400)
        if len(data) > self.max_bytes:
            raise ImageRejected(
                "The file is too large.",
                code="upload_too_large",
                status_code=413,
                details={"max_bytes": self.max_bytes},
            )
        # The declared type is only a first filter: the content decides.
        if content_type is not None and not content_type.lower().startswith(("image/", "application/octet-stream")):
            raise ImageRejected("Only images can be uploaded.", code="not_an_image", status_code=415)
        # The header alone refuses what is too large, before it waits for (or is refused) a decoding place.
        _open_header(data)
        # Decoding is CPU work and memory: off the event loop, one decode at a time per process.
        encoded, width, height = await run_cpu("image", _encode_sizes, data, self.sizes)
        stem = uuid.uuid4().hex
        base_key = f"{stem[:2]}/{stem}"
        urls: dict[str, str] = {}
        for name, (payload, _) in encoded.items():
            key = f"{base_key}-{name}.webp"
            await self.storage.put(key, payload, "image/webp")
            urls[name] = self.storage.url(key)
        sizes = {name: size for name, (_, size) in encoded.items()}
        return StoredImage(key=base_key, urls=urls, width=width, height=height, sizes=sizes)

    async def store_file(self, upload: UploadedFile) -> StoredImage:
        """Read an uploaded file and store it like `store_upload`."""
        return await self.store_upload(await upload.read(), content_type=getattr(upload, "content_type", None))

    async def delete(self, stored_key: str, names: Sequence[str] | None = None) -> None:
        """Remove every rendition of a stored image."""
        for name in names or self.sizes:
            await self.storage.delete(f"{stored_key}-{name}.webp")


def create_image_pipeline(settings: Any) -> ImagePipeline:
    """The pipeline the app hands out as the `images` dependency: MEDIA_URL's store (s3://bucket/prefix or
    file:///path), local files under DATA_DIR/media by default."""
    media_url: str | None = getattr(settings, "media_url", None)
    if media_url is not None and media_url.startswith("s3://"):
        from marketplace.media.s3 import S3Storage

        parts = urlsplit(media_url)
        return ImagePipeline(S3Storage(
            parts.netloc, parts.path, endpoint_url=settings.s3_endpoint_url, region=settings.aws_region,
            access_key_id=settings.aws_access_key_id, secret_access_key=settings.aws_secret_access_key))
    root = Path(urlsplit(media_url).path) if media_url else Path(settings.data_dir) / "media"
    root.mkdir(parents=True, exist_ok=True)
    return ImagePipeline(LocalStorage(root, "/media"))
