"""Uploads with bounded memory: huge dimensions refused from the header, one decode at a time, quotas."""

import io
import json
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import asyncpg
import pytest
from PIL import Image

from marketplace.media import ImagePipeline, ImageRejected, LocalStorage
from marketplace.media.quota import UNAPPROVED_UPLOADS
from marketplace.merchants import service as merchants
from marketplace.platform.errors import TooManyRequests
from tests.marketplace.factories import make_merchant


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _stored(root: Path, pattern: str) -> list[Path]:
    return list(root.rglob(pattern))


def huge_png(edge: int, colour_type: int = 2) -> bytes:
    """A PNG of edge x edge RGB pixels in a few tens of KB, written row by row (never held decoded)."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x7f" * (edge * channels)
    data = b"".join(compressor.compress(row) for _ in range(edge)) + compressor.flush()
    header = struct.pack(">IIBBBBB", edge, edge, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


async def test_a_6300_pixel_square_png_is_refused_with_a_reason(tmp_path: Path) -> None:
    data = huge_png(6300)
    assert len(data) < 200_000  # the case: 38 KB declaring 6300 x 6300 pixels
    pipeline = ImagePipeline(LocalStorage(tmp_path, "/media"))
    with pytest.raises(ImageRejected) as refused:
        await pipeline.store_upload(data, content_type="image/png")
    assert (refused.value.status_code, refused.value.code) == (413, "image_too_large_pixels")
    assert refused.value.details["width"] == 6300 and "megapixels" in refused.value.message
    assert not _stored(tmp_path, "*.webp")


async def test_a_large_jpeg_is_decoded_in_draft_mode(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (30, 90, 160)).save(out, format="JPEG", quality=50)
    stored = await ImagePipeline(LocalStorage(tmp_path, "/media")).store_upload(out.getvalue(),
                                                                               content_type="image/jpeg")
    assert (stored.width, stored.height) == (6000, 4000)
    with Image.open(tmp_path / f"{stored.key}-large.webp") as large:
        assert max(large.size) == 1200


# Six uploads at once in a fresh process: six 6300 x 6300 PNGs (refused) and six PNGs just under the
# full-decode limit (accepted, decoded one at a time). Before the bound, this process peaked above 2 GB.
MEMORY_PROBE = textwrap.dedent("""
    import asyncio, json, resource, sys
    from pathlib import Path
    from marketplace.media import ImagePipeline, ImageRejected, LocalStorage
    from tests.marketplace.media.test_upload_limits import huge_png

    async def main(root):
        pipeline = ImagePipeline(LocalStorage(Path(root), "/media"))
        uploads = [huge_png(6300)] * 6 + [huge_png(4000, 6)] * 3
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results = await asyncio.gather(*[pipeline.store_upload(data, content_type="image/png")
                                         for data in uploads], return_exceptions=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        refused = sum(isinstance(result, ImageRejected) for result in results)
        print(json.dumps({"baseline_mb": baseline // 1024, "peak_mb": peak // 1024, "refused": refused}))

    asyncio.run(main(sys.argv[1]))
""")


def test_simultaneous_huge_uploads_keep_memory_bounded(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(tmp_path)], cwd=root, capture_output=True,
                           text=True, timeout=300, check=True)
    measured = json.loads(probe.stdout.strip().splitlines()[-1])
    assert measured["refused"] == 6
    # What decoding adds to the process: one 4000 x 4000 RGBA image (64 MB) and its renditions at a time.
    assert measured["peak_mb"] - measured["baseline_mb"] < 200, measured


async def test_an_unapproved_merchant_has_a_small_upload_quota(conn: asyncpg.Connection, tmp_path: Path) -> None:
    owner, merchant = await make_merchant(conn, approve=False)

    class Upload:
        content_type = "image/png"

        async def read(self, size: int = -1) -> bytes:
            out = io.BytesIO()
            Image.new("RGB", (64, 64), (1, 2, 3)).save(out, format="PNG")
            return out.getvalue()

    images = ImagePipeline(LocalStorage(tmp_path, "/media"))
    for _ in range(UNAPPROVED_UPLOADS.hits):
        await merchants.store_logo(conn, owner, merchant.id, images, Upload())
    with pytest.raises(TooManyRequests):
        await merchants.store_logo(conn, owner, merchant.id, images, Upload())
    assert len(_stored(tmp_path, "*-large.webp")) == UNAPPROVED_UPLOADS.hits
