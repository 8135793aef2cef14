"""The import sheet's files: an .xlsx (the first sheet) or .csv (UTF-8, with or without a BOM,
or GB18030 — what Excel writes on a Chinese Windows) read into a ``Sheet``; the blank
template with the documented headers; the import's result as zh-CN lines and JSON."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from govflow.presentation.text import to_json
from govflow.workflow.errors import InvalidInput
from govflow.workflow.imports.columns import COLUMNS
from govflow.workflow.imports.sheet import Sheet, table
from govflow.workflow.services.imports import ImportResult

SUFFIXES = (".xlsx", ".csv")


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
        return table(lines, name)
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(f"{name}: 无法识别文件编码（应为 UTF-8 或 GB18030）")
        rows = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
        return table(rows, name)
    raise InvalidInput(f"{name}: 只能导入 .xlsx 或 .csv 文件")


def template(name: str) -> bytes:
    """An empty import sheet with the documented headers (.xlsx: and a sheet of notes)."""
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


def result_lines(result: ImportResult) -> list[str]:
    """What an import did, in zh-CN (its problems are told apart, one a line)."""
    lines = [f"文件：{result.file_name}（SHA-256 {result.sha256}），共 {result.rows} 行。"]
    if result.ignored_headers:
        lines.append(f"已忽略不认识的列：{'、'.join(result.ignored_headers)}")
    if result.created:
        years: dict[str, int] = {}
        for _, ref in result.created:
            year = ref.split("〔", 1)[1][:4]
            years[year] = years.get(year, 0) + 1
        per_year = "，".join(f"{y} 年 {n} 件" for y, n in sorted(years.items()))
        lines.append(f"已导入 {len(result.created)} 件（{per_year}；各行编号见 --json）。")
    if result.skipped:
        lines.append(f"已导入过、本次跳过 {len(result.skipped)} 件：")
        lines += [f"  第 {line} 行 → {ref}" for line, ref in result.skipped]
    if not result.created and not result.skipped:
        lines.append("没有可导入的行。")
    if result.findings:
        lines.append(
            f"与法定期限不符之处 {len(result.findings)} 处（已照原台账记录，并记入案件历史）："
        )
        lines += [f"  {f}" for f in result.findings]
    return lines


def result_json(result: ImportResult) -> str:
    """Every field, each problem and finding with its Chinese text."""
    body: dict[str, Any] = asdict(result)
    for key in ("problems", "findings"):
        body[key] = [
            {**p, "text": str(obj)} for p, obj in zip(body[key], getattr(result, key), strict=True)
        ]
    return to_json(body)
