"""Images in an S3-compatible object store (AWS S3, MinIO, Ceph, Cloudflare R2...), through aiobotocore.

Every server of a deployment reads and writes the same bucket, so an image uploaded through one is served
by all. The app serves keys at /media/... itself (the bucket can stay private); a CDN may sit in front.
"""

import asyncio
import contextlib
from typing import Any

from marketplace.media.storage import KEY_PATTERN

__all__ = ["S3Storage"]


class S3Storage:
    """Keys under `s3://bucket/prefix`, served by the app at `url_prefix`; one client per process, opened lazily."""

    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None, region: str | None,
                 access_key_id: str | None, secret_access_key: str | None, url_prefix: str = "/media") -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url_prefix = url_prefix.rstrip("/")
        self._client_options: dict[str, Any] = {
            "endpoint_url": endpoint_url, "region_name": region,
            "aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key,
        }
        self._client: Any = None
        self._exit_stack: contextlib.AsyncExitStack | None = None
        self._opening = asyncio.Lock()

    def object_key(self, key: str) -> str:
        """The object's name in the bucket; refuses anything that is not a pipeline key."""
        if not KEY_PATTERN.match(key):
            raise ValueError("not a media key")
        return f"{self.prefix}/{key}" if self.prefix else key

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._opening:
                if self._client is None:
                    # Imported here: only deployments with MEDIA_URL=s3://... load botocore.
                    from aiobotocore.config import AioConfig
                    from aiobotocore.session import get_session

                    stack = contextlib.AsyncExitStack()
                    config = AioConfig(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                                       read_timeout=30)
                    self._client = await stack.enter_async_context(
                        get_session().create_client("s3", config=config, **self._client_options))
                    self._exit_stack = stack
        return self._client

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under a key (immutable: keys are never reused)."""
        client = await self._s3()
        await client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, ContentType=content_type,
                                CacheControl="public, max-age=31536000, immutable")

    async def get(self, key: str) -> bytes | None:
        """The bytes of a key, None when missing."""
        client = await self._s3()
        try:
            response = await client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except client.exceptions.NoSuchKey:
            return None
        async with response["Body"] as body:
            return await body.read()

    async def delete(self, key: str) -> None:
        """Remove a key (S3 answers success for a missing key too)."""
        client = await self._s3()
        await client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def url(self, key: str) -> str:
        """The public URL of a key: the app's /media route."""
        return f"{self.url_prefix}/{key}"

    async def close(self) -> None:
        """Close the client's connections (at shutdown)."""
        if self._exit_stack is not None:
            await self._exit_stack.aclose()
        self._client = None
        self._exit_stack = None
