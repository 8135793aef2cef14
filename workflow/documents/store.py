"""The file store port: bytes kept under their SHA-256 (content-addressed).

A directory on the office's server by default (``govflow.models.filestore.DirectoryStore``);
an S3-compatible store for a deployment on several machines implements the same three
methods. Content addressing makes a write idempotent and a swapped file visible: the bytes
read back must hash to the name they were asked for, which ``audit verify`` checks against
the hash the event recorded.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


class FileStore(Protocol):
    def put(self, content: bytes) -> str:
        """Keep the bytes (once); returns their SHA-256 in hex."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under the hash; ``NotFound`` when there are none."""
        ...

    def exists(self, sha256: str) -> bool: ...


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
