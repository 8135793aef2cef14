"""The import sheet's cells as an office types them, and its documented layout (no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from govflow.presentation.import_sheet import read_sheet, template
from govflow.workflow.imports.columns import COLUMNS, WITHDRAWN, outcome_spellings
from govflow.workflow.imports.columns import parse_row as parse_cells
from tests.config import outcomes

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def parse_row(line: int, cells: dict[str, object]):
    return parse_cells(line, cells, outcome_spellings(outcomes()))


def test_every_column_is_documented_as_the_code_reads_it() -> None:
    rows = {line.split("|")[1].strip(): line for line in DOC.read_text("utf-8").splitlines()
            if line.startswith("| ") and not line.startswith("| 列名")}  # fmt: skip
    assert list(rows) == [c.header for c in COLUMNS]
    for c in COLUMNS:
        assert ("必填" in rows[c.header].split("|")[2]) == c.required, c.header


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-05",
        "2025/3/5",
        "2025.3.5",
        "2025年3月5日",
        date(2025, 3, 5),
        datetime(2025, 3, 5, 0, 0),
    ],
)
def test_dates_as_offices_write_them(raw: object) -> None:
    row, problems = parse_row(2, {"收到申请之日": raw})
    assert row.get("receipt_date") == date(2025, 3, 5)
    assert all(p.column != "收到申请之日" for p in problems)


def test_every_outcome_by_its_report_row_or_code() -> None:
    for code, o in outcomes().items():
        for text in (code, o.full_label.replace(" ", ""), o.label):
            row, problems = parse_row(2, {"答复类型": text})
            assert row.get("outcome") == code, text
    assert parse_row(2, {"答复类型": "予以公开"})[0].get("outcome") == "disclosed"
    assert parse_row(2, {"答复类型": "属于国家秘密"})[0].get("outcome") == "withheld.state_secret"
    assert parse_row(2, {"答复类型": "申请人撤回"})[0].get("outcome") == WITHDRAWN
    _, problems = parse_row(2, {"答复类型": "已办结"})
    assert next(str(p) for p in problems if p.column == "答复类型").startswith(
        "第 2 行【答复类型】无法识别的答复类型 '已办结'"
    )


def test_required_cells_and_choices() -> None:
    _, problems = parse_row(3, {"提交方式": "信鸽", "延长天数（工作日）": "十"})
    texts = {str(p) for p in problems}
    assert "第 3 行【收到申请之日】不能为空" in texts
    assert any(t.startswith("第 3 行【提交方式】无法识别 '信鸽'") for t in texts)
    assert "第 3 行【延长天数（工作日）】应为正整数，实为 '十'" in texts


@pytest.mark.parametrize("raw", ["100000000000000000000", 1e20, 10_000_001])
def test_a_fee_beyond_what_a_notice_may_ask_is_a_problem_of_its_column(raw: object) -> None:
    row, problems = parse_row(4, {"收费金额（元）": raw})
    assert row.get("fee_amount") is None
    assert any(str(p).startswith("第 4 行【收费金额（元）】不能大于 10000000") for p in problems)
    assert parse_row(4, {"收费金额（元）": "10000000"})[0].get("fee_amount") == 10_000_000


def test_the_template_reads_back_as_an_empty_sheet() -> None:
    sheet = read_sheet(template("t.xlsx"), "t.xlsx")
    assert sheet.headers == [c.header for c in COLUMNS] and sheet.rows == []
    csv = read_sheet(template("t.csv"), "t.csv")
    assert csv.headers == sheet.headers


def test_a_gb18030_csv_as_a_chinese_excel_saves_it() -> None:
    data = "收到申请之日,申请内容\r\n2025/3/5,预算\r\n,\r\n".encode("gb18030")
    sheet = read_sheet(data, "台账.csv")
    assert sheet.rows == [(2, {"收到申请之日": "2025/3/5", "申请内容": "预算"})]
