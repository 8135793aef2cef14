"""The default file store: a directory, each file named by its SHA-256 (``ab/cd/abcd…``).

Writes go to a temporary file in the same directory, are flushed to disk and renamed into
place, so a crash leaves either the whole file or none; a file already there is not written
again. A transaction that fails after the write leaves an unreferenced file behind, which
is harmless (nothing points at it) and never a lost one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import InvalidInput, NotFound

_HEX = re.compile(r"^[0-9a-f]{64}$")


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _HEX.match(sha256):
            raise InvalidInput(f"不是有效的 SHA-256：{sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        digest = sha256_hex(content)
        path = self._path(digest)
        if path.is_file():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"文件库中没有文件 {sha256[:12]}…（{self.root}）") from None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()
