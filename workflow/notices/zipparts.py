"""A .docx archive's members as stored: read without decompressing, written as they are.

A notice's package is mostly parts that no value reaches (styles, settings, the font
table). Keeping those as the template holds them, compressed, and writing the archive
around them by hand means a notice compresses only what it filled in.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (1 << 5) | 1  # 1980-01-01: the file's own date says nothing; the event does


@dataclass(frozen=True)
class Entry:
    """One member of a zip archive as stored: its compressed bytes and what describes them."""

    name: str
    method: int
    crc: int
    size: int
    raw: bytes


def entries(archive: bytes) -> dict[str, Entry]:
    """Every member of ``archive``, in its order, read without decompressing."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        for info in zf.infolist():
            at = info.header_offset
            name_len, extra_len = struct.unpack_from("<2H", archive, at + 26)
            start = at + _LOCAL_HEADER.size + name_len + extra_len
            raw = archive[start : start + info.compress_size]
            found[info.filename] = Entry(
                info.filename, info.compress_type, info.CRC, info.file_size, raw
            )
    return found


def deflated(name: str, data: bytes) -> Entry:
    """``data`` as zipfile's ``ZIP_DEFLATED`` stores it (default level, raw deflate)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    raw = compressor.compress(data) + compressor.flush()
    return Entry(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), raw)


def assemble(members: list[Entry]) -> bytes:
    """A zip archive of ``members`` as they are (no zip64: a letter is far below 4 GB)."""
    out, central = bytearray(), bytearray()
    for entry in members:
        name = entry.name.encode()
        flags = 0 if entry.name.isascii() else 0x800  # UTF-8 name
        offset = len(out)
        out += _LOCAL_HEADER.pack(
            b"PK\x03\x04", 20, flags, entry.method, 0, _DOS_DATE,
            entry.crc, len(entry.raw), entry.size, len(name), 0,
        )  # fmt: skip
        out += name
        out += entry.raw
        central += _CENTRAL_HEADER.pack(
            b"PK\x01\x02", 20, 20, flags, entry.method, 0, _DOS_DATE,
            entry.crc, len(entry.raw), entry.size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    start = len(out)
    out += central
    count = len(members)
    out += _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out)


def contents(archive: bytes) -> dict[str, bytes]:
    """Every member of ``archive``, decompressed, in its order."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
