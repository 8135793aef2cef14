"""An import file's bytes as rows: .xlsx (the first sheet) or .csv (UTF-8, with or without a
BOM, or GB18030 — what Excel writes on a Chinese Windows). The first non-empty row is the
header; every later row keeps its line number as the spreadsheet shows it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from govflow.workflow.errors import InvalidInput

SUFFIXES = (".xlsx", ".csv")


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, header → cell)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(lines: list[tuple[int, list[Any]]], name: str) -> Sheet:
    filled = [(n, cells) for n, cells in lines if not all(_blank(c) for c in cells)]
    if not filled:
        raise InvalidInput(f"{name}: 文件为空，没有表头")
    head_line, head = filled[0]
    headers = [str(h).strip() if not _blank(h) else "" for h in head]
    seen = [h for h in headers if h]
    twice = sorted({h for h in seen if seen.count(h) > 1})
    if twice:
        raise InvalidInput(f"{name}: 第 {head_line} 行表头重复：{'、'.join(twice)}")
    sheet = Sheet([h for h in headers if h])
    for n, cells in filled[1:]:
        sheet.rows.append((n, {h: c for h, c in zip(headers, cells, strict=False) if h}))
    return sheet


def read_sheet(data: bytes, name: str) -> Sheet:
    """The rows of an .xlsx or .csv file, by its name's suffix."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
            raise InvalidInput(f"{name}: 不是有效的 .xlsx 文件（{type(exc).__name__}）") from None
        ws = book.worksheets[0]
        lines = [(i, list(row)) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        book.close()
        return _table(lines, name)
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(f"{name}: 无法识别文件编码（应为 UTF-8 或 GB18030）")
        lines = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
        return _table(lines, name)
    raise InvalidInput(f"{name}: 只能导入 .xlsx 或 .csv 文件")


def template(name: str) -> bytes:
    """An empty import sheet with the documented headers (.xlsx: and a sheet of notes)."""
    from govflow.workflow.imports.columns import COLUMNS

    headers = [c.header for c in COLUMNS]
    if name.lower().endswith(".csv"):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(headers)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if not name.lower().endswith(".xlsx"):
        raise InvalidInput(f"{name}: 模板只能写成 .xlsx 或 .csv 文件")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    data = book.active
    data.title = "依申请公开台账"
    data.append(headers)
    for cell in data[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "类型", "可填写的值", "说明"])
    kinds = {"text": "文字", "date": "日期", "int": "整数", "choice": "选项", "outcome": "答复类型"}
    for c in COLUMNS:
        values = "、".join(label for _, label in c.choices)
        notes.append([c.header, "必填" if c.required else "", kinds[c.kind], values, c.note])
    notes.append([])
    notes.append(
        [
            "每行一件申请；第一行为表头，列的顺序不限；日期可写作 2025-03-05、2025/3/5 或 2025年3月5日。"
        ]
    )
    notes.append(["任何一行有误则整个文件不导入，并逐行列出问题；同一文件再次导入不会重复建档。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
