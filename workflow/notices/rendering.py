"""Filling a .docx template at the speed of its placeholders, not of its styles.

docxtpl opens the whole package with python-docx, renders the parts that may hold
placeholders (the body, headers, footers, footnotes, the document's properties) and saves
the whole package again. A letter's template carries about 790 kB of style definitions
(``styles.xml``, ``stylesWithEffects.xml``) that no placeholder reaches, and parsing,
re-serialising and re-compressing them was most of an action that issues a notice (about
48 ms of 55 ms for 延期答复告知书, and a compile of each part's Jinja source besides).

So a template is prepared once per process (``Prepared``): its large parts without a
placeholder are set aside, still compressed as the template holds them, and replaced by
an empty element of the same name in a light copy. docxtpl renders the light copy exactly
as it would the whole (the same patching of tags, the same escaping, the same sandbox),
and the result is assembled from the light output's entries with the set-aside parts put
back byte for byte (``_assemble``: no part is decompressed or compressed again). Parts
docxtpl must parse to render (the main document, headers, footers, foot- and endnotes,
the core properties) are never set aside.

``CompilingSandbox`` keeps each part's compiled Jinja template: docxtpl asks its
environment to compile the part's text on every render, and the same template gives the
same text.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import zipfile
from dataclasses import dataclass
from typing import Any

from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

LIGHT_LIMIT = 32 * 1024
"""Parts at least this large (uncompressed) and free of placeholders are set aside."""

_PLACEHOLDER = re.compile(rb"\{[{%]")
_RENDERED = re.compile(
    r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml"
)
_ROOT = re.compile(rb"<(?![?!])([^\s>/]+)([^>]*?)/?>")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (1 << 5) | 1  # 1980-01-01: the file's own date says nothing; the event does


@dataclass(frozen=True)
class _Entry:
    """One member of a zip archive as stored: its compressed bytes and what describes them."""

    name: str
    method: int
    crc: int
    size: int
    raw: bytes


def _entries(archive: bytes) -> dict[str, _Entry]:
    """Every member of ``archive``, read without decompressing."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        for info in zf.infolist():
            at = info.header_offset
            name_len, extra_len = struct.unpack_from("<2H", archive, at + 26)
            start = at + _LOCAL_HEADER.size + name_len + extra_len
            raw = archive[start : start + info.compress_size]
            found[info.filename] = _Entry(
                info.filename, info.compress_type, info.CRC, info.file_size, raw
            )
    return found


def _stub(xml: bytes) -> bytes:
    """The part's root element, empty, with its namespace declarations."""
    root = _ROOT.search(xml)
    if root is None:
        raise ValueError("no root element")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<%s%s/>' % (
        root.group(1),
        root.group(2),
    )


def _assemble(entries: list[_Entry]) -> bytes:
    """A zip archive of ``entries`` as they are (no zip64: a letter is far below 4 GB)."""
    out, central = bytearray(), bytearray()
    for entry in entries:
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
    count = len(entries)
    out += _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out)


class Prepared:
    """A template split once into a light copy for docxtpl and the parts set aside."""

    def __init__(self, template: bytes) -> None:
        self.set_aside: dict[str, _Entry] = {}
        light = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(template)) as source,
            zipfile.ZipFile(light, "w", zipfile.ZIP_DEFLATED) as copy,
        ):
            raw = _entries(template)
            for info in source.infolist():
                data = source.read(info)
                if (
                    info.file_size >= LIGHT_LIMIT
                    and not _RENDERED.fullmatch(info.filename)
                    and data.lstrip().startswith(b"<")
                    and not _PLACEHOLDER.search(data)
                ):
                    self.set_aside[info.filename] = raw[info.filename]
                    data = _stub(data)
                copy.writestr(info.filename, data)
        self.light = light.getvalue()

    def render(self, values: dict[str, Any], env: SandboxedEnvironment) -> bytes:
        from docxtpl import DocxTemplate

        document = DocxTemplate(io.BytesIO(self.light))
        document.render(values, env, autoescape=True)
        out = io.BytesIO()
        document.save(out)
        if not self.set_aside:
            return out.getvalue()
        rendered = _entries(out.getvalue())
        return _assemble([self.set_aside.get(name, entry) for name, entry in rendered.items()])


class CompilingSandbox(SandboxedEnvironment):
    """A sandboxed, autoescaping environment that compiles each source text once.

    Sandboxed: a template (an upload, over the network) reaches no Python internals through
    the values it may name (``{{ title.__class__ }}``)."""

    LIMIT = 512  # distinct part texts kept: a few per template, a few dozen templates

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, JinjaTemplate] = {}
        self._lock = threading.Lock()

    def from_string(  # type: ignore[override]
        self, source: str, globals: Any = None, template_class: Any = None
    ) -> JinjaTemplate:
        if globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            with self._lock:
                if len(self._compiled) < self.LIMIT:
                    self._compiled[source] = found
        return found
