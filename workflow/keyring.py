"""The installation's chain keys (A-2): the keyed MAC every new event carries.

A SHA-256 chain can be recomputed by anyone who can write the database. So each event
also carries a MAC (HMAC-SHA-256 of ``key_id:hash``) under an installation key kept
outside the database (``Keyring``): without the key nobody can append, insert or rewrite
an event that verifies. A keyed event vouches for every event before it, through the
chain, so events written before the installation had a key are covered once a keyed
event follows them (``govflow audit seal`` appends one to each such case). Rotation:
new events carry the newest key's id; older events verify under the key they name.

Apart from ``events`` because the key is configuration read at the edge and secret
material (parsed, redacted in logs), while the chain itself needs no key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from govflow.workflow.events import CaseEvent

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")
MIN_KEY_BYTES = 32


class KeyFormatError(ValueError):
    """A key text that cannot be used (the message never contains key material)."""


@dataclass(frozen=True)
class Keyring:
    """The installation's chain keys by id; ``current`` signs new events. No keys: unkeyed."""

    keys: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    current: str | None = None
    _keyed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, where: str) -> Keyring:
        """``id:hex`` entries, one a line or comma-separated; the last one signs new events.
        Blank lines and ``#`` comments are ignored."""
        keys: dict[str, bytes] = {}
        current = None
        entries = [e.strip() for line in text.splitlines() for e in line.split(",")]
        for number, entry in enumerate(entries, start=1):
            if not entry or entry.startswith("#"):
                continue
            key_id, sep, material = entry.partition(":")
            if not sep or not KEY_ID.fullmatch(key_id.strip()):
                raise KeyFormatError(
                    f"{where} 第 {number} 项应为 密钥编号:十六进制密钥（如 k2026:…）"
                )
            try:
                secret = bytes.fromhex(material.strip())
            except ValueError:
                raise KeyFormatError(f"{where} 中密钥 {key_id.strip()} 不是十六进制") from None
            if len(secret) < MIN_KEY_BYTES:
                raise KeyFormatError(
                    f"{where} 中密钥 {key_id.strip()} 太短（至少 {MIN_KEY_BYTES} 字节，"
                    f"即 {MIN_KEY_BYTES * 2} 位十六进制）"
                )
            keys[key_id.strip()] = secret
            current = key_id.strip()
        if current is None:
            raise KeyFormatError(f"{where} 中没有密钥")
        return cls(keys, current)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keyed": {}}  # keyed states do not pickle; made again

    @property
    def keyed(self) -> bool:
        return self.current is not None

    def secrets(self) -> list[str]:
        """The key material as it is written, for log redaction."""
        return [k.hex() for k in self.keys.values()]

    def mac(self, key_id: str, text: str) -> str | None:
        key = self.keys.get(key_id)
        if key is None:
            return None
        # A copy of the keyed state costs half a fresh ``hmac.new`` (one per event verified).
        keyed = self._keyed.get(key_id)
        if keyed is None:
            keyed = self._keyed[key_id] = hmac.new(key, digestmod=hashlib.sha256)
        digest = keyed.copy()
        digest.update(f"{key_id}:{text}".encode())
        return digest.hexdigest()

    def seal(self, event: CaseEvent) -> CaseEvent:
        """The event with its MAC under the current key (unchanged without a key)."""
        if self.current is None:
            return event
        return replace(event, key_id=self.current, mac=self.mac(self.current, event.hash))

    def check(self, key_id: str, text: str, mac: str) -> bool | None:
        """Whether ``mac`` is right for ``text``; None when the key is not configured here."""
        expected = self.mac(key_id, text)
        return None if expected is None else hmac.compare_digest(expected, mac)


UNKEYED = Keyring()
