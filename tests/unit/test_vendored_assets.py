"""Every vendored web asset is the pinned release listed, byte for byte, with its licence."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "govflow" / "web" / "static" / "vendor"


def _manifest() -> dict[str, str]:
    text = (VENDOR / "VENDOR.md").read_text("utf-8")
    block = text.split("## Checksums (SHA-256)", 1)[1].split("```")[1]
    pairs = (line.split("  ", 1) for line in block.strip().splitlines())
    return {name: digest for digest, name in pairs}


def test_every_vendored_file_matches_its_checksum_and_none_is_unlisted() -> None:
    listed = _manifest()
    present = {
        str(p.relative_to(VENDOR)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name != "VENDOR.md"
    }
    assert present == listed


def test_every_vendored_release_carries_its_licence() -> None:
    for folder in (p for p in VENDOR.iterdir() if p.is_dir()):
        assert any(f.name.upper().startswith("LICENSE") for f in folder.iterdir()), folder.name
