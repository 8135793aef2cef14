"""Attachments by what they are, not what they are called (SPEC N-2)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from govflow.workflow.documents.filetypes import OLE2, check_upload, sniff
from govflow.workflow.errors import InvalidInput

MB = 1048576


def docx_bytes() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return out.getvalue()


OLE_DOC = OLE2 + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64

SAMPLES = {
    "申请书.pdf": b"%PDF-1.7\n...",
    "扫描件.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "扫描件.jpeg": b"\xff\xd8\xff\xe1",
    "信封.png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "证件.tif": b"II*\x00\x08\x00",
    "证件.TIFF": b"MM\x00*\x00\x08",
    "答复稿.docx": docx_bytes(),
    "清单.xlsx": xlsx_bytes(),
    "旧稿.doc": OLE_DOC,
    "旧稿.wps": OLE_DOC,
    "版式.ofd": zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_allowed_type_is_accepted(name: str) -> None:
    kind = check_upload(name, SAMPLES[name], MB)
    assert Path(name).suffix.lower().lstrip(".") in (kind.ext, "jpeg", "tiff")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("申请书.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "Windows 可执行程序"),
        ("扫描件.jpg", b"\x7fELF\x02\x01\x01", "Linux 可执行程序"),
        ("答复稿.docx", b"#!/bin/sh\nrm -rf /\n", "脚本"),
        ("答复稿.docx", zip_bytes({"payload.exe": b"MZ"}), "压缩包"),
        (
            "答复稿.docx",
            zip_bytes(
                {
                    "[Content_Types].xml": b"application/vnd.ms-word.document.macroEnabled",
                    "word/document.xml": b"<w/>",
                    "word/vbaProject.bin": b"\x00",
                }
            ),
            "含宏的 Office 文件",
        ),
        ("表.xls", OLE2 + b"Workbook", "不允许的文件类型 .xls"),
        ("程序.exe", b"MZ", "不允许的文件类型 .exe"),
        ("无扩展名", b"%PDF-1.4", "（无扩展名）"),
        ("旧稿.doc", OLE2 + b"\x00" * 600, "不是Word 97-2003"),
    ],
)
def test_disguised_or_unlisted_files_are_refused(name: str, content: bytes, says: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_upload(name, content, MB)
    assert says in str(info.value) and name in str(info.value)


def test_a_real_type_under_another_allowed_name_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"PDF 文档，与扩展名 \.docx 不符"):
        check_upload("答复稿.docx", b"%PDF-1.4", MB)
    assert sniff(docx_bytes()) == "docx" and sniff(xlsx_bytes()) == "xlsx"


def test_size_limit_and_empty_file() -> None:
    with pytest.raises(InvalidInput, match="超过上限 1 MB"):
        check_upload("大.pdf", b"%PDF-" + b"0" * MB, MB)
    with pytest.raises(InvalidInput, match="文件为空"):
        check_upload("空.pdf", b"", MB)
