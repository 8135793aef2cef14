"""What an uploaded file really is, from its first bytes and structure, not its name.

The allow-list of attachments (SPEC N-2): pdf, ofd, docx, doc, wps, xlsx, jpg, png, tif. A
file is accepted only when its content is one of these *and* its name says the same type,
so a program renamed ``申请书.pdf`` is refused, and so is a PDF renamed ``.docx`` (the
office would otherwise open it with the wrong program). Office files with macros are
refused: an archive copy must not run code.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from govflow.workflow.errors import InvalidInput

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class FileType:
    ext: str  # the canonical extension
    media_type: str
    label: str


TYPES = {
    "pdf": FileType("pdf", "application/pdf", "PDF 文档"),
    "ofd": FileType("ofd", "application/ofd", "OFD 版式文档"),
    "docx": FileType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word 文档（.docx）",
    ),
    "xlsx": FileType(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel 表格（.xlsx）",
    ),
    "doc": FileType("doc", "application/msword", "Word 97-2003 文档（.doc）"),
    "wps": FileType("wps", "application/vnd.ms-works", "WPS 文字文档（.wps）"),
    "jpg": FileType("jpg", "image/jpeg", "JPEG 图片"),
    "png": FileType("png", "image/png", "PNG 图片"),
    "tif": FileType("tif", "image/tiff", "TIFF 图片"),
}
ALIASES = {"jpeg": "jpg", "tiff": "tif"}
ALLOWED = "、".join(TYPES)

# What a refused file looks like, to say so in the error.
_KNOWN_OTHERS = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"#!", "脚本"),
    (b"\xca\xfe\xba\xbe", "可执行程序"),
    (b"\xcf\xfa\xed\xfe", "可执行程序"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"<", "网页或 XML 文本"),
)


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            types = (
                archive.read("[Content_Types].xml").decode("utf-8", "replace")
                if "[Content_Types].xml" in names
                else ""
            )
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    if "OFD.xml" in names:
        return "ofd"
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in types:
        return "macro"
    if "word/document.xml" in names and types:
        return "docx"
    if "xl/workbook.xml" in names and types:
        return "xlsx"
    return "zip"


def _ole_kind(content: bytes) -> str | None:
    """A compound file (OLE2): Word 97-2003 and WPS documents hold a ``WordDocument`` stream
    (Works documents a ``CONTENTS`` stream); anything else (.xls, .msi, …) is refused."""
    if "WordDocument".encode("utf-16-le") in content:
        return "doc"
    if "CONTENTS".encode("utf-16-le") in content:
        return "wps"
    return None


def sniff(content: bytes) -> str | None:
    """The allow-listed type the bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return "tif"
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        return kind if kind in TYPES else None
    if content.startswith(OLE2):
        return _ole_kind(content)
    return None


def _what_it_is(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        return "含宏的 Office 文件" if kind == "macro" else "压缩包"
    for magic, label in _KNOWN_OTHERS:
        if content.startswith(magic):
            return label
    return "未知类型"


def check_upload(filename: str, content: bytes, max_bytes: int) -> FileType:
    """The file's type if it may be attached; else ``InvalidInput`` saying why."""
    if not content:
        raise InvalidInput(f"{filename}：文件为空")
    if len(content) > max_bytes:
        raise InvalidInput(
            f"{filename}：文件大小 {len(content) / 1048576:.1f} MB，超过上限 "
            f"{max_bytes / 1048576:.0f} MB"
        )
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    named = ALIASES.get(suffix, suffix)
    if named not in TYPES:
        raise InvalidInput(
            f"{filename}：不允许的文件类型 .{suffix or '（无扩展名）'}；允许：{ALLOWED}"
        )
    actual = sniff(content)
    if actual is None:
        raise InvalidInput(
            f"{filename}：文件内容不是{TYPES[named].label}（实为{_what_it_is(content)}），已拒收"
        )
    if actual == "doc" and named == "wps":  # WPS 文字 saves its .wps in the Word binary format
        actual = "wps"
    if actual != named:
        raise InvalidInput(
            f"{filename}：文件内容是{TYPES[actual].label}，与扩展名 .{suffix} 不符，已拒收"
        )
    return TYPES[actual]
