"""The image pipeline: refuses non-images, oversized files and decompression bombs; strips EXIF; makes WebPs."""

import io
from pathlib import Path

import pytest
from PIL import Image

from marketplace.media import ImagePipeline, ImageRejected, LocalStorage


def jpeg_with_exif(size: tuple[int, int] = (800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 60))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (11.0, 35.0, 0.0)}  # GPSInfo: where the photo was taken
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny file that declares a huge canvas (a 1-bit image compresses to almost nothing)."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def webp_files(root: Path) -> list[Path]:
    return list(root.rglob("*.webp"))


@pytest.fixture
def pipeline(tmp_path: Path) -> ImagePipeline:
    return ImagePipeline(LocalStorage(tmp_path, "/media"))


async def test_stores_webp_sizes_without_exif(pipeline: ImagePipeline, tmp_path: Path) -> None:
    data = jpeg_with_exif()
    assert b"SecretCam" in data
    stored = await pipeline.store_upload(data, content_type="image/jpeg")
    assert (stored.width, stored.height) == (800, 600)
    assert set(stored.urls) == {"thumb", "medium", "large"}
    for name, edge in (("thumb", 160), ("medium", 480), ("large", 800)):
        url = stored.urls[name]
        assert url.startswith("/media/") and url.endswith(f"-{name}.webp")
        raw = (tmp_path / url.removeprefix("/media/")).read_bytes()  # noqa: ASYNC240 - a test reading its output
        assert b"SecretCam" not in raw
        with Image.open(io.BytesIO(raw)) as image:
            assert image.format == "WEBP"
            assert max(image.size) == edge
            assert not image.getexif()


@pytest.mark.parametrize("payload", [b"%PDF-1.7 not an image", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                     b"GIF89a truncated"])
async def test_refuses_files_that_are_not_images(pipeline: ImagePipeline, payload: bytes) -> None:
    with pytest.raises(ImageRejected) as error:
        # The declared type lies: the content decides.
        await pipeline.store_upload(payload, content_type="image/png")
    assert error.value.status_code == 415


async def test_refuses_declared_non_image_type(pipeline: ImagePipeline) -> None:
    with pytest.raises(ImageRejected) as error:
        await pipeline.store_upload(jpeg_with_exif(), content_type="text/html")
    assert error.value.status_code == 415


async def test_refuses_oversized_upload(tmp_path: Path) -> None:
    small_limit = ImagePipeline(LocalStorage(tmp_path), max_bytes=1000)
    with pytest.raises(ImageRejected) as error:
        await small_limit.store_upload(jpeg_with_exif((1200, 1200)), content_type="image/jpeg")
    assert error.value.status_code == 413 and error.value.code == "upload_too_large"
    assert not webp_files(tmp_path)


@pytest.mark.parametrize("edge", [7_000, 20_000])
async def test_refuses_decompression_bombs(pipeline: ImagePipeline, tmp_path: Path, edge: int) -> None:
    # 49 MP is over our limit; 400 MP is over Pillow's own bomb threshold too.
    data = bomb_png(edge, edge)
    assert len(data) < 200_000
    with pytest.raises(ImageRejected) as error:
        await pipeline.store_upload(data, content_type="image/png")
    assert error.value.status_code == 413 and error.value.code == "image_too_large_pixels"
    assert not webp_files(tmp_path)


def test_local_storage_refuses_foreign_keys(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for key in ("../etc/passwd", "ab/../../x.webp", "ab/short.webp"):
        with pytest.raises(ValueError):
            storage.path(key)
