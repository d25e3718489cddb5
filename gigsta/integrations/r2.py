"""Cloudflare R2 (S3 API) through aioboto3: presigned PUT/GET, HEAD, delete.

R2 accepts only SigV4 and the region `auto`. One client is opened at start-up
and shared; presigning is computed locally and costs no round trip.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from gigsta.settings import Settings

# A request waits on the store while the client waits on us: when the store is
# down, say so within about a second rather than after several backed-off
# retries (botocore's backoff alone can add seconds). The calls made here are
# idempotent, so the client's own retry is safe.
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 1
_SERVER_ERRORS = frozenset({"InternalError", "ServiceUnavailable", "SlowDown"})


class FileStorageUnavailableError(Exception):
    """The object store could not be reached or answered with a server error."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    size: int
    content_type: str


class ObjectStore:
    def __init__(
        self,
        *,
        endpoint_url: str,
        bucket: str,
        access_key_id: str,
        secret_access_key: str,
        region: str = "auto",
    ) -> None:
        self.bucket = bucket
        self._endpoint_url = endpoint_url
        self._region = region
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None

    async def start(self) -> None:
        config = Config(
            signature_version="s3v4",
            # Path-style works with R2 and with any local S3 on 127.0.0.1.
            s3={"addressing_style": "path"},
            # R2 does not implement the newer default integrity checksums.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
        )
        self._client = await self._stack.enter_async_context(
            self._session.client(
                "s3",
                endpoint_url=self._endpoint_url,
                region_name=self._region,
                config=config,
            )
        )

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise RuntimeError("ObjectStore.start() was not awaited")
        return self._client

    async def presign_put(
        self, key: str, *, content_type: str, size_bytes: int, expires_in: int
    ) -> str:
        """A PUT URL whose SigV4 signature covers Content-Type and Content-Length:
        the upload must send exactly these two headers."""
        url: str = await self.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size_bytes,
            },
            ExpiresIn=expires_in,
            HttpMethod="PUT",
        )
        return url

    async def presign_get(self, key: str, *, expires_in: int) -> str:
        url: str = await self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=expires_in,
        )
        return url

    async def head(self, key: str) -> ObjectInfo | None:
        """The object's size and type, or None when there is no such object.

        Raises `FileStorageUnavailableError` when the store cannot answer.
        """
        try:
            response = await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            code = _error_code(exc)
            if code in {"404", "NoSuchKey", "NotFound"}:
                return None
            if _is_outage(exc):
                raise FileStorageUnavailableError(str(exc)) from exc
            raise
        except BotoCoreError as exc:  # connection refused, timeouts, DNS
            raise FileStorageUnavailableError(str(exc)) from exc
        return ObjectInfo(
            size=int(response["ContentLength"]),
            content_type=str(response.get("ContentType", "")),
        )

    async def delete(self, key: str) -> None:
        """Delete the object (a missing one is fine).

        Raises `FileStorageUnavailableError` when the store cannot answer.
        """
        try:
            await self.client.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_outage(exc):
                raise FileStorageUnavailableError(str(exc)) from exc
            raise
        except BotoCoreError as exc:
            raise FileStorageUnavailableError(str(exc)) from exc


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _is_outage(exc: ClientError) -> bool:
    """A server-side failure is an outage; anything else stays a bug to see."""
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return status >= 500 or _error_code(exc) in _SERVER_ERRORS


def store_from_settings(settings: Settings) -> ObjectStore | None:
    """The configured bucket (not started yet), or None without R2 settings."""
    if not settings.r2_configured():
        return None
    assert settings.r2_secret_access_key is not None
    return ObjectStore(
        endpoint_url=settings.r2_endpoint_url or "",
        bucket=settings.r2_bucket or "",
        access_key_id=settings.r2_access_key_id or "",
        secret_access_key=settings.r2_secret_access_key.get_secret_value(),
        region=settings.r2_region,
    )
