"""The file store on an S3-compatible object store (MinIO, Ceph, a cloud's), for a deployment
whose web and worker processes run on several machines: each reads and writes the same
bucket, where a directory would have to be a shared mount.

Keys are ``prefix + ab/abcd…`` (the SHA-256), so a write is idempotent and two processes
writing the same bytes at once write the same object. An object is written whole or not
at all (S3 has no partial objects), and ``audit verify`` checks what comes back against the
hash the event recorded, as for the directory store. ``boto3`` is an optional dependency
(``pip install 'govflow[s3]'``): imported only when the settings choose this store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import ConfigurationError, GovflowError, InvalidInput, NotFound

_HEX = re.compile(r"^[0-9a-f]{64}$")
_MISSING = {"404", "NoSuchKey", "NotFound"}


class StoreUnavailable(GovflowError):
    """The object store did not answer or refused (down, wrong key, no bucket)."""


class S3Store:
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "govflow/",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket, self.prefix = bucket, prefix
        self.where = f"{endpoint_url or 's3'}/{bucket}/{prefix}"
        self.client = client or _client(endpoint_url, region, access_key_id, secret_access_key)

    def _key(self, sha256: str) -> str:
        if not _HEX.match(sha256):
            raise InvalidInput(f"不是有效的 SHA-256：{sha256!r}")
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def put(self, content: bytes) -> str:
        digest = sha256_hex(content)
        if self.exists(digest):
            return digest
        with self._errors():
            self.client.put_object(Bucket=self.bucket, Key=self._key(digest), Body=content)
        return digest

    def get(self, sha256: str) -> bytes:
        key = self._key(sha256)
        try:
            with self._errors():
                response = self.client.get_object(Bucket=self.bucket, Key=key)
                return bytes(response["Body"].read())
        except _Missing:
            raise NotFound(f"文件库中没有文件 {sha256[:12]}…（{self.where}）") from None

    def exists(self, sha256: str) -> bool:
        key = self._key(sha256)
        try:
            with self._errors():
                self.client.head_object(Bucket=self.bucket, Key=key)
        except _Missing:
            return False
        return True

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """botocore's errors as a person reads them: missing, or the store unavailable (with
        its address and the error's code, never the credentials)."""
        try:
            yield
        except Exception as exc:
            if not _is_botocore(exc):
                raise
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise _Missing() from None
            reason = code or type(exc).__name__
            raise StoreUnavailable(f"文件库（S3：{self.where}）不可用：{reason}") from None


class _Missing(Exception):
    """No object under the key (turned into ``NotFound`` or ``False`` by the caller)."""


def _is_botocore(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("botocore", "urllib3"))


def _client(
    endpoint_url: str | None, region: str, access_key_id: str | None, secret: str | None
) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ConfigurationError(
            "设置 notices.file_store 为 s3 需要 boto3：请执行 pip install 'govflow[s3]'"
        ) from None
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
        # A county's intranet store: fail in seconds, not minutes, when it is down.
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
    )
