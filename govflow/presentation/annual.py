"""The annual report's tables 三 and 四 (SPEC R-1) as Markdown, CSV (UTF-8 with a BOM) and
.xlsx, with the labels exactly as the format (国办公开办函〔2021〕30号) writes them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from govflow.presentation.text import csv_with_note, with_note
from govflow.workflow.reports.annual import (
    APPLICANT_COLUMNS,
    APPLICANT_HEADER,
    COLUMN_LABELS,
    RESULTS_4,
    ROUTES,
    TITLE_3,
    TITLE_4,
    AnnualReport,
)

FORMATS = ("md", "csv", "xlsx")


def to_json(report: AnnualReport) -> dict[str, object]:
    """The tables for scripts: each row of 三 by its key with a value per applicant column."""
    return {
        "title": title(report),
        "agency": report.agency,
        "year": report.year,
        "format": {"name": report.format_name, "title": report.format_title},
        "columns": [
            {"key": key, "label": label, "group": group} for key, label, group in APPLICANT_COLUMNS
        ],
        "table3": [
            {
                "key": row.key,
                "label": row.label,
                "depth": row.depth,
                "values": list(row.values) if row.values is not None else None,
            }
            for row in report.rows
        ],
        "table4": {
            "columns": [
                {"route": route, "result": result}
                for route, _, _ in ROUTES
                for result, _ in RESULTS_4
            ],
            "values": list(report.table4),
        },
        "violations": list(report.violations),
        "audit_note": report.audit_note,
    }


def title(report: AnnualReport) -> str:
    """Whose report and which year: the first line of every form of it."""
    return f"{report.agency} {report.year} 年度政府信息公开工作年度报告（表三、表四）"


def _header_3() -> tuple[list[str], list[str], list[str]]:
    """The format's three header levels: 申请人情况; 自然人 | 法人或其他组织 | 总计; and the
    five kinds of organisation under 法人或其他组织 (a group's name over its first cell)."""
    groups = [group for _, _, group in APPLICANT_COLUMNS]
    return (
        ["", APPLICANT_HEADER] + [""] * 6,
        ["", *(g if i == 0 or groups[i - 1] != g else "" for i, g in enumerate(groups))],
        ["", *(label if label != group else "" for _, label, group in APPLICANT_COLUMNS)],
    )


def _group_span() -> tuple[int, int]:
    """The first and last spreadsheet column (1-based) of 法人或其他组织."""
    at = [i for i, (_, _, g) in enumerate(APPLICANT_COLUMNS) if g == "法人或其他组织"]
    return at[0] + 2, at[-1] + 2


def _labels_4() -> tuple[list[str], list[str], list[str]]:
    groups, subs, results = [], [], []
    for _, group, sub in ROUTES:
        for _, result in RESULTS_4:
            groups.append(group)
            subs.append(sub if sub != group else "")
            results.append(result)
    return groups, subs, results


def to_markdown(report: AnnualReport) -> str:
    lines = [f"# {title(report)}", ""]
    lines += [f"格式：《{report.format_title}》（{report.format_name}）", ""]
    lines += [f"## {TITLE_3}", ""]
    org = ["法人或其他组织/" + label for label in COLUMN_LABELS[1:6]]
    header = ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"]
    header += [f"申请人情况/{COLUMN_LABELS[0]}", *(f"申请人情况/{o}" for o in org)]
    header += [f"申请人情况/{COLUMN_LABELS[6]}"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" + "---:|" * 7)
    for row in report.rows:
        indent = "　" * row.depth
        cells = [str(v) for v in row.values] if row.values is not None else [""] * 7
        lines.append(f"| {indent}{row.label} | " + " | ".join(cells) + " |")
    lines += ["", f"## {TITLE_4}", ""]
    groups, subs, results = _labels_4()
    head = ["/".join(p for p in parts if p) for parts in zip(groups, subs, results, strict=True)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---:|" * len(head))
    lines.append("| " + " | ".join(str(v) for v in report.table4) + " |")
    lines += ["", *_violation_lines(report)]
    return with_note("\n".join(lines) + "\n", report.audit_note)


def _violation_lines(report: AnnualReport) -> list[str]:
    if not report.violations:
        return ["勾稽关系核对：一 + 二 = 三（七）总计 + 四，各列均相符。"]
    return ["**勾稽关系核对发现问题：**", *(f"- {v}" for v in report.violations)]


def to_csv(report: AnnualReport) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([title(report)])
    w.writerow([f"格式：《{report.format_title}》（{report.format_name}）"])
    w.writerow([])
    w.writerow([TITLE_3])
    for header in _header_3():
        w.writerow(header)
    for row in report.rows:
        w.writerow([row.label, *(row.values if row.values is not None else [""] * 7)])
    w.writerow([])
    w.writerow([TITLE_4])
    for header in _labels_4():
        w.writerow(header)
    w.writerow(list(report.table4))
    if report.violations:
        w.writerow([])
        for v in report.violations:
            w.writerow([v])
    return csv_with_note(("\ufeff" + out.getvalue()).encode("utf-8"), report.audit_note)


def to_xlsx(report: AnnualReport, path: Path | BinaryIO) -> None:
    # openpyxl is imported here only: it is slow to import and most commands never need it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    ws.title = "表三"
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([title(report)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.append([TITLE_3])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    for header in _header_3():
        ws.append(header)
    first, last = _group_span()
    ws.merge_cells(start_row=3, start_column=1, end_row=5, end_column=1)
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=8)
    ws.merge_cells(start_row=4, start_column=first, end_row=4, end_column=last)
    for column in {2, 8} - set(range(first, last + 1)):  # 自然人, 总计: two levels high
        ws.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    for row in report.rows:
        ws.append([row.label, *(row.values if row.values is not None else [None] * 7)])
    for v in report.violations:
        ws.append([v])
    if report.audit_note:
        ws.append([report.audit_note])
    for cells in ws.iter_rows(min_row=1, max_row=5):
        for cell in cells:
            cell.alignment = center
    ws.column_dimensions["A"].width = 60

    ws4 = wb.create_sheet("表四")
    ws4.append([title(report)])
    ws4.merge_cells(start_row=1, start_column=1, end_row=1, end_column=15)
    ws4.append([TITLE_4])
    ws4.merge_cells(start_row=2, start_column=1, end_row=2, end_column=15)
    groups, subs, results = _labels_4()
    # the group name once over its cells, as the format draws it
    ws4.append([g if i == 0 or groups[i - 1] != g else None for i, g in enumerate(groups)])
    ws4.append([s if i == 0 or subs[i - 1] != s else None for i, s in enumerate(subs)])
    ws4.append(results)
    ws4.merge_cells(start_row=3, start_column=1, end_row=4, end_column=5)  # 行政复议
    ws4.merge_cells(start_row=3, start_column=6, end_row=3, end_column=15)  # 行政诉讼
    ws4.merge_cells(start_row=4, start_column=6, end_row=4, end_column=10)
    ws4.merge_cells(start_row=4, start_column=11, end_row=4, end_column=15)
    ws4.append(list(report.table4))
    for cells in ws4.iter_rows(min_row=1, max_row=5):
        for cell in cells:
            cell.alignment = center
    wb.save(path)
