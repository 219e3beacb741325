"""Image uploads: checked by content, size-limited, bomb-proof, EXIF stripped, re-encoded to WebP sizes."""

from marketplace.media.pipeline import (
    DEFAULT_SIZES,
    MAX_UPLOAD_BYTES,
    ImagePipeline,
    ImageRejected,
    StoredImage,
    UploadedFile,
    create_image_pipeline,
    require_file,
)
from marketplace.media.storage import LocalStorage, Storage

__all__ = [
    "DEFAULT_SIZES",
    "MAX_UPLOAD_BYTES",
    "ImagePipeline",
    "ImageRejected",
    "LocalStorage",
    "Storage",
    "StoredImage",
    "UploadedFile",
    "create_image_pipeline",
    "require_file",
]
