"""Images in an S3-compatible store (moto's S3 server, run locally over HTTP): stored, served, deleted."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiobotocore.session import get_session
from litestar.testing import AsyncTestClient
from moto.server import ThreadedMotoServer
from PIL import Image

from marketplace.app import create_app
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import SettingsError, load_settings
from tests.browser import free_port

BUCKET = "market-media"
KEYS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 60)).save(out, format="PNG")
    return out.getvalue()


async def _objects(endpoint: str) -> list[str]:
    async with get_session().create_client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                           aws_access_key_id="test-key", aws_secret_access_key="test-secret") as s3:
        listing = await s3.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))


async def test_upload_lands_in_the_bucket_and_any_server_serves_it(db_uri: str, tmp_path: Path, s3_endpoint) -> None:
    async with get_session().create_client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                                           aws_access_key_id="test-key", aws_secret_access_key="test-secret") as s3:
        await s3.create_bucket(Bucket=BUCKET)
    env = {"DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "RUN_INDEXER": "false",
           "MEDIA_URL": f"s3://{BUCKET}/images", "S3_ENDPOINT_URL": s3_endpoint, **KEYS}
    # Two servers with their own (empty) data directories: only the bucket is shared.
    first = create_app(load_settings({**env, "DATA_DIR": str(tmp_path / "one")}))
    second = create_app(load_settings({**env, "DATA_DIR": str(tmp_path / "two")}))
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as two:
        stored = await runtime_of(first.state).images.store_upload(_png(), content_type="image/png")
        assert await _objects(s3_endpoint) == sorted(f"images/{stored.key}-{size}.webp"
                                                     for size in ("thumb", "medium", "large"))
        response = await two.get(stored.urls["medium"])
        assert response.status_code == 200 and response.headers["content-type"] == "image/webp"
        assert response.content[:4] == b"RIFF" and "immutable" in response.headers["cache-control"]
        assert not list((tmp_path / "two").rglob("*.webp")) and not list((tmp_path / "one").rglob("*.webp"))
        await runtime_of(first.state).images.delete(stored.key)
        assert (await two.get(stored.urls["medium"])).status_code == 404
        assert (await one.get("/media/../../etc/passwd")).status_code == 404
    assert await _objects(s3_endpoint) == []


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"MEDIA_URL": "s3:///prefix"}, "MEDIA_URL"),
        ({"MEDIA_URL": "ftp://host/x"}, "MEDIA_URL"),
        ({"MEDIA_URL": "file://relative"}, "MEDIA_URL"),
        ({"S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL"),
        ({"AWS_ACCESS_KEY_ID": "only-the-id"}, "AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_media_settings_name_the_variable(tmp_path: Path, values: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATA_DIR": str(tmp_path), **values})
    assert caught.value.variable == variable


def test_file_media_url_is_used_for_local_images(tmp_path: Path) -> None:
    from marketplace.media import create_image_pipeline

    settings = load_settings({"DATA_DIR": str(tmp_path / "d"), "MEDIA_URL": f"file://{tmp_path}/shared-media"})
    assert create_image_pipeline(settings).storage.root == tmp_path / "shared-media"
