"""Seeds for independent random streams.

``hash()`` of a string is salted per process (PYTHONHASHSEED), so it would give each
worker process different data; a cryptographic digest of the parts gives every process,
machine and Python version the same stream for (seed, "agency", code).
"""

from __future__ import annotations

import hashlib


def derive_seed(seed: int, *parts: str) -> int:
    raw = "\x1f".join((str(seed), *parts)).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")
